import { expect } from 'chai';
import fc from 'fast-check';
import {
  findNeedle,
  isFault,
  parseHeader,
  resyncHeader,
  type Header,
  type HeaderFault,
} from '../../../lib/transports/framing/content-length-header.js';
import { bytes, join } from '../../helpers/chunks.js';

const NUM_RUNS = 2000;

/** What resynchronisation did before it was one pass: parse from each later `content-length`. */
function resyncOneByOne(
  section: Uint8Array,
  maxMessageBytes: number,
): Header | HeaderFault | undefined {
  for (let at = findNeedle(section, 1); at >= 0; at = findNeedle(section, at + 1)) {
    const header = parseHeader(section.subarray(at), maxMessageBytes);
    if (!isFault(header) || header.fatal) return header;
  }
  return undefined;
}

describe('Content-Length header section', () => {
  describe('parseHeader()', () => {
    it('returns faults as plain data, fatal only for a length over maxMessageBytes', () => {
      expect(parseHeader(bytes('Content-Length: 12'), 100)).to.deep.equal({ length: 12 });
      expect(parseHeader(bytes('X: 1\r\nContent-Length: 3'), 100)).to.deep.equal({ length: 3 });
      expect(parseHeader(bytes('Content-Length: 12'), 10)).to.deep.equal({
        code: 'too-large',
        message: 'Message of 12 bytes exceeds maxMessageBytes (10)',
        fatal: true,
      });
      expect(parseHeader(bytes('hello'), 10)).to.deep.equal({
        code: 'bad-header',
        message: 'Malformed header line: "hello"',
        fatal: false,
      });
    });
  });

  describe('resyncHeader()', () => {
    it('finds the first later `content-length` that parses, in one pass', () => {
      const section = bytes(`${'content-length'.repeat(585)}Content-Length: 2`);
      expect(resyncHeader(section, 100)).to.deep.equal({ length: 2 });
      const lines = bytes('Content-Length: 1\r\nContent-Length: 2\r\n'.repeat(100) + 'x: y');
      expect(resyncHeader(lines, 100)).to.deep.equal({ length: 2 });
    });

    it('returns undefined when no later `content-length` parses, or there is none', () => {
      expect(resyncHeader(bytes('Content-Length: x'), 100)).to.equal(undefined);
      expect(resyncHeader(bytes('xcontent-length: 1\r\nbad line'), 100)).to.equal(undefined);
      expect(resyncHeader(bytes('content-length:content-length:'), 100)).to.equal(undefined);
    });

    it('returns what that header says: a charset to skip, or a fatal length', () => {
      const latin1 = bytes('x content-length: 4\r\ncontent-type: text/plain; charset=latin1');
      expect(resyncHeader(latin1, 100)).to.deep.equal({
        length: 4,
        charsetError: {
          code: 'unsupported-charset',
          message: 'Unsupported charset "latin1": only UTF-8 is accepted',
          fatal: false,
        },
      });
      expect(resyncHeader(bytes('x content-length: 400'), 100)).to.have.property('fatal', true);
    });

    it('property: the same as parsing from each later `content-length` in turn', () => {
      const pieces = fc.oneof(
        fc.constantFrom(
          ...[
            'content-length',
            'Content-Length',
            'CONTENT-LENGTH',
            'Content-Length: ',
            'content-type: text/plain; charset=latin1',
            'Content-Type: application/json; charset="UTF8"',
            ':',
            ' ',
            '\t',
            '\u00a0',
            '\u2028',
            '\r\n',
            '\n',
            '\r',
            '5',
            '12',
            '007',
            '99999999999999999999',
            'x',
            'X-A: 1',
            'é',
          ].map(bytes),
        ),
        fc.constantFrom(Uint8Array.of(0xff), Uint8Array.of(0xe2, 0x82), Uint8Array.of(0xc3)),
        fc.uint8Array({ maxLength: 6 }),
      );
      const sections = fc.array(pieces, { maxLength: 40 }).map((parts) => join(...parts));
      fc.assert(
        fc.property(sections, fc.constantFrom(10, 1000), (section, maxMessageBytes) => {
          expect(resyncHeader(section, maxMessageBytes)).to.deep.equal(
            resyncOneByOne(section, maxMessageBytes),
          );
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });
});
