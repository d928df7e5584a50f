/**
 * The batch window of the HTTP client: one timer at a time, that sends what was gathered.
 * @module
 */

/** The timer functions of Node (and some browsers), looked up once. */
const host = globalThis as {
  setImmediate?: (callback: () => void) => unknown;
  clearImmediate?: (handle: unknown) => void;
};

/** Calls `close` once the window of the first call gathered into a POST ends. */
export class BatchWindow {
  private timer: unknown = undefined;
  private immediate = false;
  /** Made once: a closure made on each opening would cost every batch a context. */
  private readonly end = (): void => {
    this.timer = undefined;
    this.close();
  };

  /**
   * @param waitMs - how long a window lasts; 0 is until the next macrotask (`setImmediate`
   *   where it exists, else `setTimeout(…, 0)`)
   * @param close - sends the POST gathered
   */
  constructor(
    private readonly waitMs: number,
    private readonly close: () => void,
  ) {}

  /** Opens the window, unless one is open. */
  open(): void {
    if (this.timer !== undefined) return;
    this.immediate = this.waitMs === 0 && host.setImmediate !== undefined;
    this.timer = this.immediate ? host.setImmediate!(this.end) : setTimeout(this.end, this.waitMs);
  }

  /** Clears the window's timer, if one is set. */
  cancel(): void {
    if (this.timer === undefined) return;
    if (this.immediate) host.clearImmediate?.(this.timer);
    else clearTimeout(this.timer as ReturnType<typeof setTimeout>);
    this.timer = undefined;
  }
}
