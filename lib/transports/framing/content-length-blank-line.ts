/**
 * The search for the blank line that ends a Content-Length header section, resumed from
 * chunk to chunk and from header to header. Pure.
 * @module
 */

const CR = 13;
const LF = 10;
/** What {@link BlankLineSearch.headerEnd} says when the bytes so far cannot tell. */
export const MORE = -1;
/** What {@link BlankLineSearch.headerEnd} says when no blank line is within the limit. */
export const NONE = -2;

/**
 * Finds where each header section of a stream ends, looking at each byte of the stream once,
 * whatever the headers tried: positions are stream offsets, so the search resumes where it
 * stopped, in a later chunk or for a later header after garbage.
 */
export class BlankLineSearch {
  /**
   * Stream offset of the first `\r\n\r\n` at or after the header being read, or -1 while
   * none is known; then the search for one resumes at `blankFrom`, which only moves on.
   */
  private blankAt = -1;
  private blankFrom = 0;

  /** @param maxHeaderBytes - the longest header section, blank line included */
  constructor(private readonly maxHeaderBytes: number) {}

  /**
   * Where the blank line ends the header that starts at `pos`: its index, `MORE` when the
   * bytes so far cannot tell, `NONE` when there is none within `maxHeaderBytes`.
   * @param dataOffset - the stream offset of `data[0]`
   */
  headerEnd(data: Uint8Array, dataOffset: number, pos: number): number {
    const start = dataOffset + pos;
    if (this.blankAt < start) {
      // One found for an earlier header, which ended within its limit, is within this one's.
      this.blankAt = -1;
      this.blankFrom = Math.max(this.blankFrom, start);
      this.find(data, dataOffset, Math.min(data.length, pos + this.maxHeaderBytes));
    }
    if (this.blankAt >= 0) return this.blankAt - dataOffset;
    return data.length - pos < this.maxHeaderBytes ? MORE : NONE;
  }

  /** Searches `data` for a `\r\n\r\n` that ends by `limit`, from `blankFrom` on. */
  private find(data: Uint8Array, dataOffset: number, limit: number): void {
    let i = data.indexOf(CR, this.blankFrom - dataOffset);
    for (; i >= 0 && i + 3 < limit; i = data.indexOf(CR, i + 1)) {
      if (data[i + 1] === LF && data[i + 2] === CR && data[i + 3] === LF) {
        this.blankFrom = this.blankAt = dataOffset + i;
        return;
      }
    }
    // A CR past the limit is looked at again for a later header, or with the next chunk.
    this.blankFrom = dataOffset + (i < 0 ? data.length : i);
  }
}
