import { expect } from 'chai';
import fc from 'fast-check';
import { decodeFrame, type JsonRpcDecoded, type JsonRpcErrorResponse } from '../../lib/index.js';
import { RawPeer } from '../helpers/pair.js';

/** Runs of each synchronous property. */
const NUM_RUNS = 300;
/** Runs of each property over a RawPeer: each run waits a macrotask. */
const ASYNC_RUNS = 200;

const PARSE_ERROR: JsonRpcErrorResponse = {
  jsonrpc: '2.0',
  error: { code: -32700, message: 'Parse error' },
  id: null,
};

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** True for an object that has `result` or `error` and no `method`. */
function looksLikeResponse(value: unknown): boolean {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !('method' in value) &&
    ('result' in value || 'error' in value)
  );
}

/** What holds of every decoding, whatever the frame. */
function expectWellFormed(decoded: JsonRpcDecoded): void {
  expect(decoded.batch).to.be.a('boolean');
  for (const message of decoded.messages) expect(message.jsonrpc).to.equal('2.0');
  for (const answer of decoded.errors) {
    expect(answer.jsonrpc).to.equal('2.0');
    expect([-32700, -32600]).to.include(answer.error.code);
  }
  if (!decoded.batch) expect(decoded.messages.length + decoded.errors.length).to.be.at.most(1);
}

/** What holds of the decoding of `text`, which `JSON.parse` may or may not accept. */
function expectDecodingOf(text: string, decoded: JsonRpcDecoded): void {
  expectWellFormed(decoded);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    expect(decoded).to.deep.equal({ batch: false, messages: [], errors: [PARSE_ERROR] });
    return;
  }
  expect(decoded.errors.map((answer) => answer.error.code)).to.not.include(-32700);
  if (Array.isArray(value) && value.length > 0) {
    expect(decoded.batch).to.equal(true);
    expect(decoded.messages.length + decoded.errors.length).to.be.at.most(value.length);
    const unanswerable = value.filter(looksLikeResponse).length;
    expect(decoded.errors.length).to.be.at.most(value.length - unanswerable);
  } else {
    expect(decoded.batch).to.equal(false);
    if (looksLikeResponse(value)) expect(decoded.errors).to.deep.equal([]);
  }
}

const anyText = fc.oneof(fc.string(), fc.string({ unit: 'binary' }));
const jsonValue = fc.jsonValue({ maxDepth: 3 });

/** Objects built from JSON-RPC member names, each member present or not, valid or not. */
const jsonRpcLike = fc.record(
  {
    jsonrpc: fc.oneof(fc.constant('2.0'), jsonValue),
    method: fc.oneof(fc.string(), jsonValue),
    params: fc.oneof(fc.array(jsonValue, { maxLength: 3 }), jsonValue),
    id: fc.oneof(fc.integer(), fc.string(), fc.constant(null), jsonValue),
    result: jsonValue,
    error: fc.oneof(
      fc.record({
        code: fc.oneof(fc.integer(), jsonValue),
        message: fc.oneof(fc.string(), jsonValue),
      }),
      jsonValue,
    ),
  },
  { requiredKeys: [] },
);

const methodName = fc.oneof(fc.constantFrom('known', 'unknown', 'failing'), fc.string());
const params = fc.oneof(
  fc.array(jsonValue, { maxLength: 4 }),
  fc.dictionary(fc.string(), jsonValue, { maxKeys: 4 }),
);
const notification = fc.record(
  { jsonrpc: fc.constant('2.0' as const), method: methodName, params },
  { requiredKeys: ['jsonrpc', 'method'] },
);
const requestId = fc.oneof(
  fc.constantFrom<string | number | null>(0, '0', -5, 'abc', null, ''),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.string({ unit: 'binary' }),
);
const request = fc.record(
  { jsonrpc: fc.constant('2.0' as const), method: methodName, params, id: requestId },
  { requiredKeys: ['jsonrpc', 'method', 'id'] },
);

interface Sent {
  method: string;
  id?: string | number | null;
}

/** The answer a request gets from the method table of {@link servedPeer}. */
function answerTo(sent: Sent): object {
  const { id } = sent;
  if (sent.method === 'known') return { jsonrpc: '2.0', id, result: 1 };
  if (sent.method === 'failing') {
    return { jsonrpc: '2.0', id, error: { code: -32603, message: 'Internal error' } };
  }
  return { jsonrpc: '2.0', id, error: { code: -32601, message: 'Method not found' } };
}

/** A RawPeer serving `known` and `failing`, counting the calls of each. */
function servedPeer(): { peer: RawPeer; counts: { known: number; failing: number } } {
  const counts = { known: 0, failing: 0 };
  const peer = new RawPeer({ onError: () => void counts.failing++ });
  peer.connection.serve({
    known: () => {
      counts.known++;
      return 1;
    },
    failing: () => {
      throw new Error('x');
    },
  });
  return { peer, counts };
}

/** Sends `frame` as JSON text; returns it as the peer parses it (-0 becomes 0, and so on). */
function sendJson(peer: RawPeer, frame: unknown): unknown {
  const text = JSON.stringify(frame);
  peer.send(text);
  return JSON.parse(text);
}

describe('properties', function () {
  this.timeout(10_000);

  describe('decodeFrame never throws', () => {
    it('for arbitrary strings', () => {
      fc.assert(
        fc.property(anyText, (text) => expectDecodingOf(text, decodeFrame(text))),
        { numRuns: NUM_RUNS },
      );
    });

    it('for arbitrary bytes', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 64 }), (frame) => {
          const decoded = decodeFrame(frame);
          let text: string;
          try {
            text = strictUtf8.decode(frame);
          } catch {
            expect(decoded).to.deep.equal({ batch: false, messages: [], errors: [PARSE_ERROR] });
            return;
          }
          expectDecodingOf(text, decoded);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('for arbitrary JSON texts, as text and as UTF-8 bytes', () => {
      fc.assert(
        fc.property(fc.json(), (text) => {
          const decoded = decodeFrame(text);
          expectDecodingOf(text, decoded);
          expect(decodeFrame(new TextEncoder().encode(text))).to.deep.equal(decoded);
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('for arbitrary JSON values and arrays of them', () => {
      fc.assert(
        fc.property(fc.oneof(jsonValue, fc.array(jsonValue, { maxLength: 6 })), (value) => {
          const text = JSON.stringify(value);
          expectDecodingOf(text, decodeFrame(text));
        }),
        { numRuns: NUM_RUNS },
      );
    });

    it('for objects and batches of JSON-RPC-like members, with any maxBatchSize', () => {
      fc.assert(
        fc.property(
          fc.oneof(jsonRpcLike, fc.array(jsonRpcLike, { maxLength: 6 })),
          fc.integer({ min: 1, max: 4 }),
          (value, maxBatchSize) => {
            const text = JSON.stringify(value);
            expectDecodingOf(text, decodeFrame(text, maxBatchSize));
          },
        ),
        { numRuns: NUM_RUNS },
      );
    });
  });

  describe('notifications are never answered', () => {
    it('alone or in batches of notifications only, whatever the method and params', async () => {
      const { peer, counts } = servedPeer();
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.oneof(notification, fc.array(notification, { minLength: 1, maxLength: 6 })),
            async (frame) => {
              const before = { ...counts };
              sendJson(peer, frame);
              expect(await peer.drain()).to.deep.equal([]);
              const sent = Array.isArray(frame) ? frame : [frame];
              const count = (method: string): number =>
                sent.filter((call) => call.method === method).length;
              expect(counts.known - before.known).to.equal(count('known'));
              expect(counts.failing - before.failing).to.equal(count('failing'));
            },
          ),
          { numRuns: ASYNC_RUNS },
        );
      } finally {
        await peer.close();
      }
    });
  });

  describe('every valid request gets exactly one answer, with its own id', () => {
    it('alone', async () => {
      const { peer } = servedPeer();
      try {
        await fc.assert(
          fc.asyncProperty(request, async (call) => {
            const sent = sendJson(peer, call) as Sent;
            const [answer] = await peer.read(1);
            expect(answer).to.deep.equal(answerTo(sent));
            expect((answer as Sent).id).to.deep.equal(sent.id);
            expect(await peer.drain()).to.deep.equal([]);
          }),
          { numRuns: ASYNC_RUNS },
        );
      } finally {
        await peer.close();
      }
    });

    it('in a batch mixed with notifications: one array frame, one answer per request', async () => {
      const { peer } = servedPeer();
      try {
        await fc.assert(
          fc.asyncProperty(
            fc.array(fc.oneof(request, notification), { minLength: 1, maxLength: 8 }),
            async (batch) => {
              const sent = sendJson(peer, batch) as Sent[];
              const requests = sent.filter((call) => Object.hasOwn(call, 'id'));
              if (requests.length === 0) {
                expect(await peer.drain()).to.deep.equal([]);
                return;
              }
              const [answers] = await peer.read(1);
              expect(answers).to.be.an('array');
              expect(answers).to.have.deep.members(requests.map(answerTo));
              expect(await peer.drain()).to.deep.equal([]);
            },
          ),
          { numRuns: ASYNC_RUNS },
        );
      } finally {
        await peer.close();
      }
    });
  });
});
