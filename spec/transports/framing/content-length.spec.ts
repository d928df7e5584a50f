import { expect } from 'chai';
import fc from 'fast-check';
import {
  ContentLengthDecoder,
  DEFAULT_MAX_HEADER_BYTES,
  encodeContentLength,
} from '../../../lib/transports/framing/content-length.js';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  FramingError,
} from '../../../lib/transports/framing/decoder.js';
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

const message = (body: string): Uint8Array => encodeContentLength(bytes(body));
const decode = (...chunks: (string | Uint8Array)[]): string[] =>
  summary(
    decodeAll(
      new ContentLengthDecoder(),
      chunks.map((chunk) => (typeof chunk === 'string' ? bytes(chunk) : chunk)),
    ),
  );
const errorsOf = (decoder: ContentLengthDecoder, chunk: string): FramingError[] =>
  decoder.push(bytes(chunk)).filter((item): item is FramingError => item instanceof FramingError);

describe('Content-Length framing', () => {
  describe('encodeContentLength()', () => {
    it('writes the header and the body in one buffer, the length in bytes', () => {
      expect(text(encodeContentLength(bytes('{"a":"é€😀"}')))).to.equal(
        'Content-Length: 17\r\n\r\n{"a":"é€😀"}',
      );
      expect(text(encodeContentLength(new Uint8Array(0)))).to.equal('Content-Length: 0\r\n\r\n');
    });
  });

  describe('ContentLengthDecoder', () => {
    it('uses documented defaults and validates its options loudly', () => {
      expect(DEFAULT_MAX_MESSAGE_BYTES).to.equal(64 * 1024 * 1024);
      expect(DEFAULT_MAX_HEADER_BYTES).to.equal(8192);
      expect(() => new ContentLengthDecoder({ maxMessageBytes: 0 })).to.throw(
        RangeError,
        'The "maxMessageBytes" option must be a positive integer, got 0',
      );
      expect(() => new ContentLengthDecoder({ maxHeaderBytes: '1' as never })).to.throw(
        TypeError,
        'The "maxHeaderBytes" option must be a number, got 1',
      );
    });

    it('decodes many messages in one chunk, an empty body too', () => {
      const stream = join(message('[1]'), message(''), message('{"b":2}'));
      expect(decode(stream)).to.deep.equal(['[1]', '', '{"b":2}']);
    });

    it('decodes a stream split at every byte position, multibyte characters included', () => {
      const stream = join(message('{"x":"é"}'), message('["😀","€"]'), message('{}'));
      for (let cut = 0; cut <= stream.length; cut++) {
        expect(decode(stream.slice(0, cut), stream.slice(cut)), `cut at ${cut}`).to.deep.equal([
          '{"x":"é"}',
          '["😀","€"]',
          '{}',
        ]);
      }
      const bytewise = Array.from(stream, (byte) => Uint8Array.of(byte));
      expect(decode(...bytewise)).to.deep.equal(['{"x":"é"}', '["😀","€"]', '{}']);
    });

    it('reads header names in any case, ignores unknown headers, accepts a UTF-8 Content-Type', () => {
      expect(
        decode(
          'content-length: 2\r\n\r\n{}',
          'CONTENT-LENGTH:3\r\nX-Trace: 1\r\n\r\n[1]',
          'Content-Length: 2\r\nContent-Type: application/vscode-jsonrpc; charset=utf-8\r\n\r\n[]',
          'Content-Type: application/json; Charset="UTF8"\r\ncontent-Length : 1\r\n\r\n1',
          'Content-Length: 1\r\nContent-Type: application/json\r\n\r\n2',
        ),
      ).to.deep.equal(['{}', '[1]', '[]', '1', '2']);
    });

    it('skips a message in another charset whole, with a non-fatal error', () => {
      const decoder = new ContentLengthDecoder();
      const items = decoder.push(
        join(
          bytes('Content-Length: 4\r\nContent-Type: text/plain; charset=utf-16\r\n\r\n'),
          bytes('{}{}'),
          message('[2]'),
        ),
      );
      expect(summary(items)).to.deep.equal(['!unsupported-charset', '[2]']);
      const error = items[0] as FramingError;
      expect(error).to.be.instanceOf(FramingError).and.instanceOf(Error);
      expect([error.name, error.message, error.fatal]).to.deep.equal([
        'FramingError',
        'Unsupported charset "utf-16": only UTF-8 is accepted',
        false,
      ]);
    });

    for (const [what, garbage, code, description] of [
      [
        'a stray line before a header',
        'hello world\n',
        'bad-header',
        'Malformed header line: "hello world"',
      ],
      [
        'a non-numeric length',
        'Content-Length: ten\r\n\r\n',
        'bad-length',
        'Content-Length is not a number of bytes: "ten"',
      ],
      [
        'a negative length',
        'Content-Length: -1\r\n\r\n',
        'bad-length',
        'Content-Length is not a number of bytes: "-1"',
      ],
      [
        'a header without Content-Length',
        'Content-Type: application/json\r\n\r\n',
        'bad-header',
        'Missing Content-Length header',
      ],
    ] as const) {
      it(`reports ${what} once and resynchronises at the next Content-Length`, () => {
        const decoder = new ContentLengthDecoder();
        const items = decoder.push(join(message('[1]'), bytes(garbage), message('[2]')));
        expect(summary(items)).to.deep.equal(['[1]', `!${code}`, '[2]']);
        const error = items[1] as FramingError;
        expect([error.message, error.fatal]).to.deep.equal([description, false]);
      });
    }

    it('reports conflicting Content-Length headers', () => {
      const decoder = new ContentLengthDecoder();
      const [error] = errorsOf(decoder, 'Content-Length: 1\r\ncontent-length: 2\r\n\r\n');
      expect([error!.code, error!.message, error!.fatal]).to.deep.equal([
        'bad-header',
        'Conflicting Content-Length headers: 1 and 2',
        false,
      ]);
    });

    it('reports a header with no blank line within maxHeaderBytes, holding no more than that', () => {
      const decoder = new ContentLengthDecoder({ maxHeaderBytes: 64 });
      expect(decoder.push(bytes('Content-Length: 2\r\nX: '))).to.deep.equal([]);
      const errors = errorsOf(decoder, 'y'.repeat(60));
      expect(errors.map((e) => [e.code, e.message])).to.deep.equal([
        [
          'missing-separator',
          'No blank line ends the header within 64 bytes: "Content-Length: 2\\r\\nX: yyyyyyyyyyyyyyyyyy…"',
        ],
      ]);
      expect(decoder.bufferedBytes).to.be.at.most(13);
      expect(summary(decoder.push(message('[3]')))).to.deep.equal(['[3]']);
    });

    it('reports a run of garbage once, holds at most 13 bytes while searching, never loops', () => {
      const decoder = new ContentLengthDecoder();
      const noise = bytes('Content-Lengt'.padStart(65_536, 'x\r\n:'));
      const items = [];
      for (let i = 0; i < 16; i++) {
        items.push(...decoder.push(noise));
        expect(decoder.bufferedBytes).to.be.at.most(DEFAULT_MAX_HEADER_BYTES);
      }
      expect(summary(items)).to.deep.equal(['!missing-separator']);
      expect(decoder.bufferedBytes).to.equal(13);
      expect(summary(decoder.push(bytes('h: 2\r\n\r\n{}')))).to.deep.equal(['{}']);
    });

    it('fails on a message over maxMessageBytes before holding any of its body', () => {
      const decoder = new ContentLengthDecoder({ maxMessageBytes: 10 });
      expect(summary(decoder.push(message('0123456789')))).to.deep.equal(['0123456789']);
      const [error] = decoder.push(bytes('Content-Length: 11\r\n\r\n0123')) as FramingError[];
      expect([error!.code, error!.message, error!.fatal]).to.deep.equal([
        'too-large',
        'Message of 11 bytes exceeds maxMessageBytes (10)',
        true,
      ]);
      expect(decoder.bufferedBytes).to.equal(0);
      expect(decoder.push(message('[4]'))).to.deep.equal([]);
      expect(decoder.end()).to.deep.equal([]);
      const huge = new ContentLengthDecoder({ maxMessageBytes: Infinity });
      expect(
        summary(huge.push(bytes('Content-Length: 99999999999999999999\r\n\r\n'))),
      ).to.deep.equal(['!too-large']);
    });

    it('reports the stream ending inside a message as fatal, and nothing between messages', () => {
      const inBody = new ContentLengthDecoder();
      inBody.push(bytes('Content-Length: 5\r\n\r\n{"a"'));
      const [error] = inBody.end() as FramingError[];
      expect([error!.code, error!.message, error!.fatal]).to.deep.equal([
        'truncated',
        'The stream ended inside a message: 4 of 5 bytes',
        true,
      ]);
      const inHeader = new ContentLengthDecoder();
      inHeader.push(bytes('Content-Le'));
      expect(summary(inHeader.end())).to.deep.equal(['!truncated']);
      const between = new ContentLengthDecoder();
      between.push(message('{}'));
      expect(between.end()).to.deep.equal([]);
    });

    describe('resynchronisation cost', () => {
      // Linear decoding takes tens of milliseconds here; a rescan per chunk or per
      // `content-length` took seconds (194 s for the first kind in one chunk).
      const MIB = 1024 * 1024;
      /** `unit` repeated whole, to about `size` bytes: no unit is cut in two. */
      const repeated = (unit: string, size: number): Uint8Array => {
        const one = bytes(unit);
        const out = new Uint8Array(Math.floor(size / one.length) * one.length);
        for (let i = 0; i < out.length; i += one.length) out.set(one, i);
        return out;
      };
      /** CPU time of a synchronous call, in ms. */
      const cpuMs = (run: () => void): number => {
        const start = process.cpuUsage();
        run();
        const used = process.cpuUsage(start);
        return (used.user + used.system) / 1000;
      };
      const random = (size: number): Uint8Array => {
        const out = new Uint8Array(size);
        for (let i = 0, x = 1; i < size; i++) out[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
        return out;
      };
      const kinds: [string, (size: number) => Uint8Array][] = [
        ['`content-length` repeated without CR', (size) => repeated('content-length', size)],
        [
          '`Content-Length: 5\\r\\n` repeated, no blank line',
          (size) => repeated('Content-Length: 5\r\n', size),
        ],
        ['CRs without LF', (size) => repeated('\r', size)],
        ['CR LF CR without the last LF', (size) => repeated('\r\n\rx', size)],
        ['long header lines', (size) => repeated(`X-Long: ${'a'.repeat(500)}\r\n`, size)],
        [
          'header sections of `content-length:` repeated',
          (size) => repeated(`${'content-length:'.repeat(500)}\r\n\r\n`, size),
        ],
        [
          'header sections of Content-Length lines, each followed by a bad line',
          (size) => repeated(`${'Content-Length: 5\r\nX\r\n'.repeat(350)}\r\n`, size),
        ],
        [
          'header sections each failing at a later `content-length`',
          (size) => repeated('xcontent-length\r\n\r\n', size),
        ],
        ['random bytes', random],
      ];
      for (const [what, make] of kinds) {
        it(`is linear for ${what}: 4 MiB whole or in 64 KiB chunks, 256 KiB bytewise`, () => {
          for (const [size, chunkBytes] of [
            [4 * MIB, 4 * MIB],
            [4 * MIB, 64 * 1024],
            [MIB / 4, 1],
          ] as const) {
            const garbage = make(size);
            const decoder = new ContentLengthDecoder();
            const items: ReturnType<ContentLengthDecoder['push']> = [];
            const ms = cpuMs(() => {
              for (let i = 0; i < garbage.length; i += chunkBytes) {
                items.push(...decoder.push(garbage.subarray(i, i + chunkBytes)));
              }
              items.push(...decoder.push(message('{"ok":true}')));
            });
            const where = `${size} bytes in chunks of ${chunkBytes}`;
            expect(ms, `CPU ms for ${where}`).to.be.below(1000);
            const frames = items.filter((item) => item instanceof Uint8Array);
            expect(summary(frames), where).to.deep.equal(['{"ok":true}']);
            expect(items.length - frames.length, where).to.equal(1);
            expect(decoder.bufferedBytes, where).to.equal(0);
          }
        });
      }
    });

    describe('memory held for a message still arriving', () => {
      // A view kept per chunk cost about 100 bytes, and kept the chunk's own buffer alive:
      // 200 bytes per byte received bytewise, gigabytes for a 64 MiB message.
      const MIB = 1024 * 1024;

      it('holds a body sent bytewise in a few bytes per byte, and delivers it whole', () => {
        const body = letters(2 * MIB);
        const { receivedBytes, heldBytes, items } = feedHalving(
          new ContentLengthDecoder(),
          encodeContentLength(body),
          1,
        );
        expect(heldBytes, `bytes held for ${receivedBytes} received`).to.be.below(
          4 * receivedBytes + MIB,
        );
        expect(items).to.have.length(1);
        expect(sameBytes(items[0] as Uint8Array, body)).to.equal(true);
      });

      it('holds a header sent bytewise in a few bytes per byte, up to maxHeaderBytes', () => {
        const header = join(bytes('Content-Length: 2\r\nX-Long: '), letters(2 * MIB));
        const { receivedBytes, heldBytes, items } = feedHalving(
          new ContentLengthDecoder({ maxHeaderBytes: 4 * MIB }),
          join(header, bytes('\r\n\r\n{}')),
          1,
        );
        expect(heldBytes, `bytes held for ${receivedBytes} received`).to.be.below(
          4 * receivedBytes + MIB,
        );
        expect(summary(items)).to.deep.equal(['{}']);
      });
    });

    it('property: any chunking of any bodies gives back the same frames', () => {
      const bodies = fc.array(fc.uint8Array({ maxLength: 200 }), { minLength: 1, maxLength: 8 });
      fc.assert(
        fc.property(bodies, cuts, (frames, positions) => {
          const stream = join(...frames.map((frame) => encodeContentLength(frame)));
          const items = decodeAll(new ContentLengthDecoder(), splitAt(stream, positions));
          expect(items.map((item) => Array.from(item as Uint8Array))).to.deep.equal(
            frames.map((frame) => Array.from(frame)),
          );
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('property: JSON texts with any Unicode survive any chunking', () => {
      fc.assert(
        fc.property(jsonTexts, cuts, (texts, positions) => {
          const stream = join(...texts.map(message));
          const items = decodeAll(new ContentLengthDecoder(), splitAt(stream, positions));
          expect(summary(items)).to.deep.equal(texts);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('property: after garbage, the following messages are recovered, with at most one error', () => {
      // Garbage without a `c` cannot hold a Content-Length header of its own.
      const garbage = fc
        .uint8Array({ maxLength: 300 })
        .map((noise) => noise.map((byte) => ((byte | 0x20) === 0x63 ? 0x2e : byte)));
      fc.assert(
        fc.property(garbage, jsonTexts, cuts, (noise, texts, positions) => {
          const stream = join(noise, ...texts.map(message));
          const decoder = new ContentLengthDecoder({ maxHeaderBytes: 128 });
          const items = decodeAll(decoder, splitAt(stream, positions));
          const frames = items.filter((item) => item instanceof Uint8Array);
          expect(summary(frames)).to.deep.equal(texts);
          expect(items.length - frames.length).to.be.at.most(1);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('property: any bytes at all never throw and stay within the limits', () => {
      const soup = fc.array(
        fc.oneof(
          fc.uint8Array({ maxLength: 100 }),
          fc.constantFrom(
            ...['Content-Length: 9\r\n', '\r\n\r\n', 'content-length:x\r\n'].map(bytes),
          ),
        ),
        { maxLength: 30 },
      );
      fc.assert(
        fc.property(soup, (chunks) => {
          const decoder = new ContentLengthDecoder({ maxHeaderBytes: 64, maxMessageBytes: 256 });
          for (const chunk of chunks) {
            decoder.push(chunk);
            expect(decoder.bufferedBytes).to.be.at.most(256);
          }
          decoder.end();
        }),
        { numRuns: NUM_RUNS },
      );
    });
  });
});
