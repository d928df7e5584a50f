/**
 * The header section of a Content-Length frame: `Name: value` lines, names in any case.
 * Pure.
 * @module
 */
import { FramingError, headerText } from './decoder.js';

/** The header every sender we know writes, parsed without making a string. */
export const PREFIX = Array.from('Content-Length: ', (c) => c.charCodeAt(0));

/** What a valid header section says. */
export interface Header {
  /** The body's length in bytes. */
  length: number;
  /** Set when the body is in a charset other than UTF-8: it is to be skipped. */
  charsetError?: FramingError;
}

/**
 * Parses a header section (its blank line excluded). Never throws.
 * @returns the header, or the error: fatal for a length over `maxMessageBytes`
 */
export function parseHeader(bytes: Uint8Array, maxMessageBytes: number): Header | FramingError {
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

function parseHeaderText(text: string, maxMessageBytes: number): Header | FramingError {
  let length: number | undefined;
  let charset = 'utf-8';
  // Lines end in CRLF; splitting at LF as well names a stray line in the error.
  for (const line of text.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) return badHeader(`Malformed header line: ${clip(line)}`);
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'content-length') {
      if (!/^\d+$/.test(value)) {
        const message = `Content-Length is not a number of bytes: ${clip(value)}`;
        return new FramingError('bad-length', message, false);
      }
      if (length !== undefined && Number(value) !== length) {
        return badHeader(`Conflicting Content-Length headers: ${length} and ${value}`);
      }
      length = Number(value);
    } else if (name === 'content-type') {
      charset = charsetOf(value) ?? charset;
    }
  }
  if (length === undefined) return badHeader('Missing Content-Length header');
  const tooLarge = checkLength(length, maxMessageBytes);
  if (tooLarge) return tooLarge;
  if (charset === 'utf-8' || charset === 'utf8') return { length };
  const message = `Unsupported charset ${clip(charset)}: only UTF-8 is accepted`;
  return { length, charsetError: new FramingError('unsupported-charset', message, false) };
}

function checkLength(length: number, maxMessageBytes: number): FramingError | undefined {
  if (length <= maxMessageBytes && Number.isSafeInteger(length)) return undefined;
  const message = `Message of ${length} bytes exceeds maxMessageBytes (${maxMessageBytes})`;
  return new FramingError('too-large', message, true);
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

function badHeader(message: string): FramingError {
  return new FramingError('bad-header', message, false);
}

function clip(text: string, max = 40): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}
