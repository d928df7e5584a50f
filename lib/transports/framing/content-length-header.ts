/**
 * The header section of a Content-Length frame: `Name: value` lines, names in any case; and
 * where resynchronisation finds a header again after garbage. Pure.
 * @module
 */
import { headerText, type FramingErrorCode } from './decoder.js';

/** The header every sender we know writes, parsed without making a string. */
export const PREFIX = Array.from('Content-Length: ', (c) => c.charCodeAt(0));

/** What a valid header section says. */
export interface Header {
  /** The body's length in bytes. */
  length: number;
  /** Set when the body is in a charset other than UTF-8: it is to be skipped. */
  charsetError?: HeaderFault;
}

/**
 * What is wrong with a header section: the parts of a `FramingError`, which the decoder
 * makes only when it reports one — making an Error costs microseconds, and a run of garbage
 * can hold a million faults of which one is reported.
 */
export interface HeaderFault {
  readonly code: FramingErrorCode;
  readonly message: string;
  readonly fatal: boolean;
}

/** Whether a parse result is a fault. */
export function isFault(result: Header | HeaderFault): result is HeaderFault {
  return 'code' in result;
}

/**
 * Parses a header section (its blank line excluded). Never throws.
 * @returns the header, or the fault: fatal for a length over `maxMessageBytes`
 */
export function parseHeader(bytes: Uint8Array, maxMessageBytes: number): Header | HeaderFault {
  const length = fastLength(bytes);
  if (length !== undefined) return checkLength(length, maxMessageBytes) ?? { length };
  return parseHeaderText(headerText(bytes), maxMessageBytes);
}

/** The length of a header that is exactly `Content-Length: <digits>`, else undefined. */
function fastLength(bytes: Uint8Array): number | undefined {
  if (bytes.length <= PREFIX.length || bytes.length > PREFIX.length + 15) return undefined;
  for (let i = 0; i < PREFIX.length; i++) if (bytes[i] !== PREFIX[i]) return undefined;
  let length = 0;
  for (let i = PREFIX.length; i < bytes.length; i++) {
    const digit = bytes[i]! - 0x30;
    if (digit < 0 || digit > 9) return undefined;
    length = length * 10 + digit;
  }
  return length;
}

/** Where resynchronisation restarts: the next `content-length`, in any case. */
export const NEEDLE = Array.from('content-length', (c) => c.charCodeAt(0));
/** Each {@link NEEDLE} in a text. */
const NEEDLES = /content-length/gi;
/** After a `content-length`: blanks, then the colon that makes it the name of its line. */
const NAME_END = /[^\S\n]*:/y;
/** After that colon: a decimal number between blanks, to the end of the line. */
const DIGITS = /[^\S\n]*(\d+)[^\S\n]*(?:\n|$)/y;

/**
 * What resynchronisation finds in a header section that failed to parse: the result of the
 * first suffix of it that starts at a later `content-length` (any case) and parses, or fails
 * fatally; undefined when every such suffix fails too. The same as {@link parseHeader} on
 * each suffix in turn, but in one pass: a section of 8 KiB can hold 585 `content-length`,
 * and parsing each suffix whole is quadratic. Never throws.
 */
export function resyncHeader(
  bytes: Uint8Array,
  maxMessageBytes: number,
): Header | HeaderFault | undefined {
  if (findNeedle(bytes, 1) < 0) return undefined;
  const text = headerText(bytes);
  NEEDLES.lastIndex = 1;
  let match = NEEDLES.exec(text);
  if (match === null) return undefined;
  const lines = new Lines(text);
  let line = 0;
  let colon = -1;
  for (; match !== null; match = NEEDLES.exec(text)) {
    const start = match.index;
    while (lines.startOf(line + 1) <= start) line++;
    if (colon < start) colon = text.indexOf(':', start) >>> 0; // none: 2^32 - 1, past any line
    if (colon >= lines.endOf(line)) continue; // a line without a colon
    let length = NaN;
    NAME_END.lastIndex = start + 'content-length'.length;
    if (NAME_END.test(text)) {
      DIGITS.lastIndex = colon + 1;
      const digits = DIGITS.exec(text);
      if (digits === null) continue;
      length = Number(digits[1]);
    }
    if (!lines.acceptsAfter(line, length)) continue;
    const header = parseHeaderText(text.slice(start), maxMessageBytes);
    // It parses by now, or fails fatally; were the test above wrong, the next suffix is tried.
    if (!isFault(header) || header.fatal) return header;
  }
  return undefined;
}

/** The first `content-length`, in any case, at or after `from`; -1 if none. */
export function findNeedle(data: Uint8Array, from: number): number {
  const last = data.length - NEEDLE.length;
  outer: for (let i = from; i <= last; i++) {
    for (let j = 0; j < NEEDLE.length; j++) {
      const byte = data[i + j]!;
      const want = NEEDLE[j]!;
      // Fold case for letters only: `-` | 0x20 is `-`, but CR | 0x20 is `-` too.
      if (byte !== want && !(want >= 0x61 && (byte | 0x20) === want)) continue outer;
    }
    return i;
  }
  return -1;
}

/** The lines of a header section, and what each run of lines up to the last one says. */
class Lines {
  private readonly starts: number[] = [];
  private readonly ends: number[] = [];
  /** Whether lines `i…` parse together (each is `Name: value`, one Content-Length). */
  private readonly valid: Uint8Array;
  /** The Content-Length of lines `i…`, NaN if none. */
  private readonly lengths: Float64Array;

  constructor(text: string) {
    for (let start = 0; start >= 0;) {
      const newline = text.indexOf('\n', start);
      this.starts.push(start);
      const end = newline < 0 ? text.length : newline;
      this.ends.push(
        end > start && text.charCodeAt(end - 1) === 13 && newline >= 0 ? end - 1 : end,
      );
      start = newline < 0 ? -1 : newline + 1;
    }
    const count = this.starts.length;
    this.valid = new Uint8Array(count + 1);
    this.lengths = new Float64Array(count + 1);
    this.valid[count] = 1;
    this.lengths[count] = NaN;
    for (let i = count - 1; i >= 0; i--) {
      const read = readLine(text.slice(this.starts[i], this.ends[i]));
      const after = this.lengths[i + 1]!;
      const agrees = read.kind !== 'length' || Number.isNaN(after) || after === read.length;
      const bad = read.kind === 'malformed' || read.kind === 'bad-length';
      this.valid[i] = !bad && agrees ? this.valid[i + 1]! : 0;
      this.lengths[i] = read.kind === 'length' ? read.length : after;
    }
  }

  /** Where line `i` starts; Infinity past the last line. */
  startOf(i: number): number {
    return this.starts[i] ?? Infinity;
  }

  /** Where line `i` ends, its CRLF or LF excluded. */
  endOf(i: number): number {
    return this.ends[i]!;
  }

  /** Whether a first line saying `length` (NaN: none), then the lines after `i`, parse. */
  acceptsAfter(i: number, length: number): boolean {
    const after = this.lengths[i + 1]!;
    if (this.valid[i + 1] === 0) return false;
    return Number.isNaN(length) ? !Number.isNaN(after) : Number.isNaN(after) || after === length;
  }
}

function parseHeaderText(text: string, maxMessageBytes: number): Header | HeaderFault {
  let length: number | undefined;
  let charset = 'utf-8';
  // Lines end in CRLF; splitting at LF as well names a stray line in the error.
  for (const line of text.split(/\r?\n/)) {
    const read = readLine(line);
    if (read.kind === 'malformed') return badHeader(`Malformed header line: ${clip(line)}`);
    if (read.kind === 'bad-length') {
      const message = `Content-Length is not a number of bytes: ${clip(read.value)}`;
      return { code: 'bad-length', message, fatal: false };
    }
    if (read.kind === 'length') {
      if (length !== undefined && read.length !== length) {
        return badHeader(`Conflicting Content-Length headers: ${length} and ${read.value}`);
      }
      length = read.length;
    } else if (read.kind === 'type') {
      charset = read.charset ?? charset;
    }
  }
  if (length === undefined) return badHeader('Missing Content-Length header');
  const tooLarge = checkLength(length, maxMessageBytes);
  if (tooLarge) return tooLarge;
  if (charset === 'utf-8' || charset === 'utf8') return { length };
  const message = `Unsupported charset ${clip(charset)}: only UTF-8 is accepted`;
  return { length, charsetError: { code: 'unsupported-charset', message, fatal: false } };
}

/** What one header line says. */
type Line =
  | { kind: 'malformed' }
  | { kind: 'bad-length'; value: string }
  | { kind: 'length'; length: number; value: string }
  | { kind: 'type'; charset: string | undefined }
  | { kind: 'other' };

const MALFORMED: Line = { kind: 'malformed' };
const OTHER: Line = { kind: 'other' };

function readLine(line: string): Line {
  const colon = line.indexOf(':');
  if (colon <= 0) return MALFORMED;
  const name = line.slice(0, colon).trim().toLowerCase();
  const value = line.slice(colon + 1).trim();
  if (name === 'content-length') {
    return /^\d+$/.test(value)
      ? { kind: 'length', length: Number(value), value }
      : { kind: 'bad-length', value };
  }
  return name === 'content-type' ? { kind: 'type', charset: charsetOf(value) } : OTHER;
}

function checkLength(length: number, maxMessageBytes: number): HeaderFault | undefined {
  if (length <= maxMessageBytes && Number.isSafeInteger(length)) return undefined;
  const message = `Message of ${length} bytes exceeds maxMessageBytes (${maxMessageBytes})`;
  return { code: 'too-large', message, fatal: true };
}

/** The charset parameter of a media type, lower-cased and unquoted. */
function charsetOf(contentType: string): string | undefined {
  for (const parameter of contentType.split(';').slice(1)) {
    const [name, value = ''] = parameter.split('=', 2);
    if (name?.trim().toLowerCase() === 'charset') {
      return value
        .trim()
        .replace(/^"(.*)"$/, '$1')
        .toLowerCase();
    }
  }
  return undefined;
}

function badHeader(message: string): HeaderFault {
  return { code: 'bad-header', message, fatal: false };
}

function clip(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
