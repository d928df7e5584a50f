import { expect } from 'chai';
import fc from 'fast-check';
import { FramingError, type FrameOrError } from '../../../lib/transports/framing/decoder.js';
import { encodeNewline, NewlineDecoder } from '../../../lib/transports/framing/newline.js';
import {
  bytes,
  cuts,
  decodeAll,
  join,
  jsonTexts,
  splitAt,
  summary,
  text,
} from '../../helpers/chunks.js';
import { feedHalving, letters, sameBytes } from '../../helpers/held-bytes.js';

const NUM_RUNS = 100;

const decode = (...chunks: string[]): string[] =>
  summary(decodeAll(new NewlineDecoder(), chunks.map(bytes)));

describe('newline framing', () => {
  describe('encodeNewline()', () => {
    it('appends a newline, in one buffer', () => {
      expect(text(encodeNewline(bytes('{"a":"é😀"}')))).to.equal('{"a":"é😀"}\n');
    });

    it('turns the raw newlines of pretty-printed JSON into spaces, keeping its meaning', () => {
      const pretty = JSON.stringify({ a: ['x\ny', 2] }, null, 2).replace(/\n/g, '\r\n');
      const line = text(encodeNewline(bytes(pretty)));
      expect(line.indexOf('\n')).to.equal(line.length - 1);
      expect(line).not.to.include('\r');
      expect(JSON.parse(line)).to.deep.equal({ a: ['x\ny', 2] });
    });

    it('leaves the frame it was given untouched', () => {
      const frame = bytes('[\n1]');
      encodeNewline(frame);
      expect(text(frame)).to.equal('[\n1]');
    });
  });

  describe('NewlineDecoder', () => {
    it('validates its options loudly', () => {
      expect(() => new NewlineDecoder({ maxMessageBytes: 1.5 })).to.throw(
        RangeError,
        'The "maxMessageBytes" option must be a positive integer, got 1.5',
      );
      expect(() => new NewlineDecoder({ maxMessageBytes: null as never })).to.throw(
        TypeError,
        'The "maxMessageBytes" option must be a number, got null',
      );
    });

    it('decodes many lines in one chunk; drops a CR before LF; skips empty lines', () => {
      expect(decode('[1]\n{"b":2}\r\n\n\r\n[3]\n')).to.deep.equal(['[1]', '{"b":2}', '[3]']);
    });

    it('decodes a stream split at every byte position, multibyte characters included', () => {
      const stream = bytes('{"x":"é"}\n["😀","€"]\r\n{}\n');
      for (let cut = 0; cut <= stream.length; cut++) {
        const items = decodeAll(new NewlineDecoder(), [stream.slice(0, cut), stream.slice(cut)]);
        expect(summary(items), `cut at ${cut}`).to.deep.equal(['{"x":"é"}', '["😀","€"]', '{}']);
      }
      const bytewise = Array.from(stream, (byte) => Uint8Array.of(byte));
      expect(summary(decodeAll(new NewlineDecoder(), bytewise))).to.deep.equal([
        '{"x":"é"}',
        '["😀","€"]',
        '{}',
      ]);
    });

    it('passes a stray non-JSON line on as a frame, for the connection to answer -32700', () => {
      expect(decode('Server starting on stdio…\n{"a":1}\n')).to.deep.equal([
        'Server starting on stdio…',
        '{"a":1}',
      ]);
    });

    it('discards a line over maxMessageBytes as it comes, holding none of it', () => {
      const decoder = new NewlineDecoder({ maxMessageBytes: 8 });
      expect(summary(decoder.push(bytes('12345678\n123')))).to.deep.equal(['12345678']);
      const [error] = decoder.push(bytes('456789')) as FramingError[];
      expect(error).to.be.instanceOf(FramingError);
      expect([error!.code, error!.message, error!.fatal]).to.deep.equal([
        'too-large',
        'A line longer than maxMessageBytes (8) was discarded',
        false,
      ]);
      expect(decoder.bufferedBytes).to.equal(0);
      for (let i = 0; i < 100; i++) expect(decoder.push(bytes('x'.repeat(1000)))).to.deep.equal([]);
      expect(decoder.bufferedBytes).to.equal(0);
      expect(summary(decoder.push(bytes('still\n[1]\n')))).to.deep.equal(['[1]']);
      expect(summary(decoder.push(bytes('x'.repeat(20) + '\n[2]\n')))).to.deep.equal([
        '!too-large',
        '[2]',
      ]);
    });

    it('scans each byte once: 4 MiB without LF, whole or in 64 KiB chunks, 256 KiB bytewise', () => {
      // A search restarting from the line's start on each chunk would take tens of seconds.
      const MIB = 1024 * 1024;
      const kinds = ['content-length', '\r', 'Content-Length: 5\r'];
      for (const unit of kinds) {
        for (const [size, chunkBytes] of [
          [4 * MIB, 4 * MIB],
          [4 * MIB, 64 * 1024],
          [MIB / 4, 1],
        ] as const) {
          const garbage = bytes(unit.repeat(Math.floor(size / unit.length)));
          const decoder = new NewlineDecoder({ maxMessageBytes: 128 * 1024 });
          const items: FrameOrError[] = [];
          const start = process.cpuUsage();
          for (let i = 0; i < garbage.length; i += chunkBytes) {
            items.push(...decoder.push(garbage.subarray(i, i + chunkBytes)));
          }
          items.push(...decoder.push(bytes('\n{"ok":true}\n')));
          const used = process.cpuUsage(start);
          const where = `${JSON.stringify(unit)}: ${size} bytes in chunks of ${chunkBytes}`;
          expect((used.user + used.system) / 1000, `CPU ms for ${where}`).to.be.below(1000);
          expect(summary(items), where).to.deep.equal(['!too-large', '{"ok":true}']);
          expect(decoder.bufferedBytes, where).to.equal(0);
        }
      }
    });

    it('holds a line sent bytewise in a few bytes per byte, and delivers it whole', () => {
      // A view kept per chunk cost about 100 bytes, and kept the chunk's own buffer alive:
      // 200 bytes per byte received bytewise, gigabytes for a 64 MiB line.
      const MIB = 1024 * 1024;
      const line = letters(2 * MIB);
      const { receivedBytes, heldBytes, items } = feedHalving(
        new NewlineDecoder(),
        join(line, bytes('\n')),
        1,
      );
      expect(heldBytes, `bytes held for ${receivedBytes} received`).to.be.below(
        4 * receivedBytes + MIB,
      );
      expect(items).to.have.length(1);
      expect(sameBytes(items[0] as Uint8Array, line)).to.equal(true);
    });

    it('delivers a last line without a newline at the end of the stream', () => {
      expect(decode('[1]\n', '{"last":', 'true}')).to.deep.equal(['[1]', '{"last":true}']);
      const decoder = new NewlineDecoder();
      decoder.end();
      expect(decoder.push(bytes('[1]\n'))).to.deep.equal([]);
    });

    it('property: JSON texts with any Unicode survive any chunking', () => {
      fc.assert(
        fc.property(jsonTexts, cuts, (texts, positions) => {
          const stream = join(...texts.map((json) => encodeNewline(bytes(json))));
          const items = decodeAll(new NewlineDecoder(), splitAt(stream, positions));
          expect(summary(items)).to.deep.equal(texts);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('property: any bytes never throw, and no more than maxMessageBytes is held', () => {
      const soup = fc.array(fc.uint8Array({ maxLength: 100 }), { maxLength: 30 });
      fc.assert(
        fc.property(soup, (chunks) => {
          const decoder = new NewlineDecoder({ maxMessageBytes: 64 });
          for (const chunk of chunks) {
            for (const item of decoder.push(chunk)) {
              if (item instanceof Uint8Array) {
                expect(item.length).to.be.within(1, 64);
                expect(item.includes(10)).to.equal(false);
              }
            }
            expect(decoder.bufferedBytes).to.be.at.most(64);
          }
          decoder.end();
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });
});
