import { expect } from 'chai';
import {
  DEFAULT_MAX_BATCH_SIZE,
  decodeFrame,
  type JsonRpcDecoded,
  type JsonRpcErrorResponse,
} from '../../lib/index.js';

const INVALID_REQUEST: JsonRpcErrorResponse = {
  jsonrpc: '2.0',
  error: { code: -32600, message: 'Invalid Request' },
  id: null,
};

const PARSE_ERROR: JsonRpcErrorResponse = {
  jsonrpc: '2.0',
  error: { code: -32700, message: 'Parse error' },
  id: null,
};

const NOTHING: JsonRpcDecoded = { batch: false, messages: [], errors: [] };

function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

function tooLarge(id: string | number | null, maxBatchSize: number): JsonRpcErrorResponse {
  return {
    jsonrpc: '2.0',
    error: { code: -32600, message: 'Batch too large', data: { maxBatchSize } },
    id,
  };
}

/** The decoding of a frame holding exactly `value`, as text. */
function decodeValue(value: unknown, maxBatchSize?: number): JsonRpcDecoded {
  return decodeFrame(JSON.stringify(value), maxBatchSize);
}

describe('decodeFrame', () => {
  describe('valid messages', () => {
    const valid: [string, object][] = [
      [
        'a request with positional params',
        { jsonrpc: '2.0', method: 'subtract', params: [42, 23], id: 1 },
      ],
      [
        'a request with named params',
        { jsonrpc: '2.0', method: 'subtract', params: { minuend: 42, subtrahend: 23 }, id: 3 },
      ],
      ['a request without params', { jsonrpc: '2.0', method: 'ping', id: 'p' }],
      ['a request with empty params', { jsonrpc: '2.0', method: 'ping', params: [], id: 2 }],
      ['a notification with params', { jsonrpc: '2.0', method: 'update', params: [1, 2, 3] }],
      ['a notification without params', { jsonrpc: '2.0', method: 'foobar' }],
      ['a success response', { jsonrpc: '2.0', result: 19, id: 1 }],
      ['a success response with a null result', { jsonrpc: '2.0', result: null, id: 'x' }],
      [
        'an error response',
        { jsonrpc: '2.0', error: { code: -32601, message: 'Method not found' }, id: '1' },
      ],
      [
        'an error response with data and a null id',
        { jsonrpc: '2.0', error: { code: -32000, message: 'Boom', data: { why: 'x' } }, id: null },
      ],
    ];

    for (const [title, message] of valid) {
      it(`decodes ${title}`, () => {
        expect(decodeValue(message)).to.deep.equal({
          batch: false,
          messages: [message],
          errors: [],
        });
      });
    }

    it('keeps a notification without an id member', () => {
      const [message] = decodeFrame('{"jsonrpc":"2.0","method":"update","params":[1]}').messages;
      expect(message).to.not.equal(undefined);
      expect(Object.hasOwn(message!, 'id')).to.equal(false);
    });

    for (const id of [0, '0', -5, 'abc', null, 1.5, ''] as const) {
      it(`round-trips the id ${JSON.stringify(id)} of a request and of a response`, () => {
        const request = decodeValue({ jsonrpc: '2.0', method: 'm', id });
        const success = decodeValue({ jsonrpc: '2.0', result: 1, id });
        const failure = decodeValue({ jsonrpc: '2.0', error: { code: 1, message: 'e' }, id });
        for (const decoded of [request, success, failure]) {
          expect(decoded.errors).to.deep.equal([]);
          expect(decoded.messages).to.have.length(1);
          // deep equality tells 0 from "0" and null from a missing id
          expect(decoded.messages[0]!.id).to.deep.equal(id);
          expect(typeof decoded.messages[0]!.id).to.equal(typeof id);
        }
      });
    }
  });

  describe('invalid requests', () => {
    const invalid: [string, unknown][] = [
      ['jsonrpc missing', { method: 'm', id: 1 }],
      ['jsonrpc "1.0"', { jsonrpc: '1.0', method: 'm', id: 1 }],
      ['jsonrpc the number 2', { jsonrpc: 2, method: 'm', id: 1 }],
      ['method a number', { jsonrpc: '2.0', method: 1, params: 'bar' }],
      ['method null', { jsonrpc: '2.0', method: null, id: 1 }],
      ['method an array', { jsonrpc: '2.0', method: ['m'], id: 1 }],
      ['params a string', { jsonrpc: '2.0', method: 'm', params: 'bar', id: 1 }],
      ['params a number', { jsonrpc: '2.0', method: 'm', params: 3, id: 1 }],
      ['params null', { jsonrpc: '2.0', method: 'm', params: null, id: 1 }],
      ['params a boolean', { jsonrpc: '2.0', method: 'm', params: true }],
      ['id an object', { jsonrpc: '2.0', method: 'm', id: {} }],
      ['id true', { jsonrpc: '2.0', method: 'm', id: true }],
      ['id false', { jsonrpc: '2.0', method: 'm', id: false }],
      ['id an array', { jsonrpc: '2.0', method: 'm', id: [1] }],
      ['an empty object', {}],
      ['a number', 1],
      ['a string', 'request'],
      ['null', null],
      ['true', true],
    ];

    for (const [title, value] of invalid) {
      it(`answers -32600 with id null for ${title}`, () => {
        expect(decodeValue(value)).to.deep.equal({
          batch: false,
          messages: [],
          errors: [INVALID_REQUEST],
        });
      });
    }

    for (const id of ['1e400', '-1e999']) {
      it(`answers -32600 with id null for an id JSON reads as infinite (${id})`, () => {
        expect(decodeFrame(`{"jsonrpc":"2.0","method":"m","id":${id}}`)).to.deep.equal({
          batch: false,
          messages: [],
          errors: [INVALID_REQUEST],
        });
      });
    }

    it('answers [] with a single -32600, not as a batch', () => {
      expect(decodeFrame('[]')).to.deep.equal({
        batch: false,
        messages: [],
        errors: [INVALID_REQUEST],
      });
    });
  });

  describe('batches', () => {
    it('decodes the valid members in frame order', () => {
      const members = [
        { jsonrpc: '2.0', method: 'sum', params: [1, 2, 4], id: '1' },
        { jsonrpc: '2.0', method: 'notify_hello', params: [7] },
        { jsonrpc: '2.0', result: 5, id: 9 },
        { jsonrpc: '2.0', error: { code: -1, message: 'no' }, id: 10 },
      ];
      expect(decodeValue(members)).to.deep.equal({ batch: true, messages: members, errors: [] });
    });

    it('treats a one-member array as a batch', () => {
      const member = { jsonrpc: '2.0', method: 'm', id: 1 };
      expect(decodeValue([member])).to.deep.equal({ batch: true, messages: [member], errors: [] });
    });

    it('owes one -32600 per invalid member, and keeps the valid ones', () => {
      const valid = { jsonrpc: '2.0', method: 'subtract', params: [42, 23], id: '2' };
      const decoded = decodeValue([
        1,
        { foo: 'boo' },
        valid,
        { jsonrpc: '2.0', method: 1, params: 'bar' },
        [],
        null,
      ]);
      expect(decoded).to.deep.equal({
        batch: true,
        messages: [valid],
        errors: [
          INVALID_REQUEST,
          INVALID_REQUEST,
          INVALID_REQUEST,
          INVALID_REQUEST,
          INVALID_REQUEST,
        ],
      });
    });

    it('answers [1,2,3] with three -32600', () => {
      expect(decodeFrame('[1,2,3]')).to.deep.equal({
        batch: true,
        messages: [],
        errors: [INVALID_REQUEST, INVALID_REQUEST, INVALID_REQUEST],
      });
    });

    it('owes nothing for a batch of notifications only', () => {
      const members = [
        { jsonrpc: '2.0', method: 'notify_sum', params: [1, 2, 4] },
        { jsonrpc: '2.0', method: 'notify_hello', params: [7] },
      ];
      expect(decodeValue(members)).to.deep.equal({ batch: true, messages: members, errors: [] });
    });
  });

  describe('parse errors', () => {
    const unparsable: [string, string][] = [
      ['truncated JSON', '{"jsonrpc": "2.0", "method": "foobar, "params": "bar", "baz]'],
      [
        'a truncated batch',
        '[{"jsonrpc": "2.0", "method": "sum", "params": [1,2,4], "id": "1"},{"jsonrpc": "2.0", "method"]',
      ],
      ['an empty frame', ''],
      ['whitespace only', '  \n '],
      ['trailing garbage', '{"jsonrpc":"2.0","method":"m","id":1} x'],
      ['two values', '{"jsonrpc":"2.0","method":"m"}{"jsonrpc":"2.0","method":"m"}'],
      ['single quotes', "{'jsonrpc':'2.0','method':'m','id':1}"],
      ['NaN', 'NaN'],
    ];

    for (const [title, text] of unparsable) {
      it(`answers -32700 with id null for ${title}, as text and as bytes`, () => {
        const expected = { batch: false, messages: [], errors: [PARSE_ERROR] };
        expect(decodeFrame(text)).to.deep.equal(expected);
        expect(decodeFrame(bytes(text))).to.deep.equal(expected);
      });
    }

    const badUtf8: [string, number[]][] = [
      ['a 0xff byte', [0xff]],
      ['a lone continuation byte', [0x80]],
      ['a truncated two-byte sequence inside a string', [0x22, 0xc3, 0x22]],
      ['an overlong encoding of "/"', [0x22, 0xc0, 0xaf, 0x22]],
      ['an encoded UTF-16 surrogate', [0x22, 0xed, 0xa0, 0x80, 0x22]],
    ];

    for (const [title, frame] of badUtf8) {
      it(`answers -32700 for invalid UTF-8: ${title}`, () => {
        expect(decodeFrame(new Uint8Array(frame))).to.deep.equal({
          batch: false,
          messages: [],
          errors: [PARSE_ERROR],
        });
      });
    }

    it('answers -32700 for a valid request whose method holds invalid UTF-8', () => {
      const head = bytes('{"jsonrpc":"2.0","id":1,"method":"a');
      const tail = bytes('"}');
      const frame = new Uint8Array([...head, 0xe2, 0x82, ...tail]);
      expect(decodeFrame(frame)).to.deep.equal({
        batch: false,
        messages: [],
        errors: [PARSE_ERROR],
      });
    });
  });

  describe('maxBatchSize', () => {
    it('defaults to 1000', () => {
      expect(DEFAULT_MAX_BATCH_SIZE).to.equal(1000);
      const request = (id: number): object => ({ jsonrpc: '2.0', method: 'm', id });
      const full = Array.from({ length: 1000 }, (_, id) => request(id));
      const decodedFull = decodeValue(full);
      expect(decodedFull.errors).to.deep.equal([]);
      expect(decodedFull.messages).to.have.length(1000);
      const over = Array.from({ length: 1001 }, (_, id) => request(id));
      const decodedOver = decodeValue(over);
      expect(decodedOver.messages).to.deep.equal([]);
      expect(decodedOver.errors).to.have.deep.members(over.map((_, id) => tooLarge(id, 1000)));
    });

    it('accepts a batch of exactly maxBatchSize members', () => {
      const members = [
        { jsonrpc: '2.0', method: 'a', id: 1 },
        { jsonrpc: '2.0', method: 'b', id: 2 },
      ];
      expect(decodeValue(members, 2)).to.deep.equal({
        batch: true,
        messages: members,
        errors: [],
      });
    });

    it('past it answers each request "Batch too large" with its own id, drops notifications, keeps responses', () => {
      const success = { jsonrpc: '2.0', result: 7, id: 70 };
      const failure = { jsonrpc: '2.0', error: { code: -1, message: 'no' }, id: 71 };
      const decoded = decodeValue(
        [
          { jsonrpc: '2.0', method: 'a', params: [1], id: 1 },
          { jsonrpc: '2.0', method: 'notify', params: [2] },
          success,
          { jsonrpc: '2.0', method: 'b', id: 'b' },
          { jsonrpc: '2.0', method: 'c', id: 0 },
          { jsonrpc: '2.0', method: 'd', id: null },
          5,
          failure,
        ],
        3,
      );
      expect(decoded.batch).to.equal(true);
      expect(decoded.messages).to.deep.equal([success, failure]);
      expect(decoded.errors).to.have.deep.members([
        tooLarge(1, 3),
        tooLarge('b', 3),
        tooLarge(0, 3),
        tooLarge(null, 3),
        INVALID_REQUEST,
      ]);
    });

    it('owes nothing for an oversized batch of notifications only', () => {
      const note = { jsonrpc: '2.0', method: 'n' };
      expect(decodeValue([note, note, note], 2)).to.deep.equal({
        batch: true,
        messages: [],
        errors: [],
      });
    });
  });

  describe('anything shaped like a response', () => {
    const responseShaped: [string, unknown][] = [
      ['without jsonrpc', { result: 1, id: 1 }],
      ['with jsonrpc "1.0"', { jsonrpc: '1.0', result: 1, id: 1 }],
      ['without an id', { jsonrpc: '2.0', result: 1 }],
      ['with an object id', { jsonrpc: '2.0', result: 1, id: {} }],
      ['with a boolean id', { jsonrpc: '2.0', error: { code: 1, message: 'e' }, id: true }],
      [
        'with both result and error',
        { jsonrpc: '2.0', result: 1, error: { code: 1, message: 'e' }, id: 1 },
      ],
      ['with a string error', { jsonrpc: '2.0', error: 'boom', id: 1 }],
      ['with a null error', { jsonrpc: '2.0', error: null, id: 1 }],
      ['with a fractional code', { jsonrpc: '2.0', error: { code: 1.5, message: 'e' }, id: 1 }],
      ['with no message', { jsonrpc: '2.0', error: { code: 1 }, id: 1 }],
      ['with a numeric message', { jsonrpc: '2.0', error: { code: 1, message: 2 }, id: 1 }],
      ['with only a result member', { result: null }],
      ['with only an error member', { error: {} }],
    ];

    for (const [title, value] of responseShaped) {
      it(`is never answered, alone or in a batch: an invalid response ${title}`, () => {
        expect(decodeValue(value)).to.deep.equal(NOTHING);
        expect(decodeValue([value, value])).to.deep.equal({
          batch: true,
          messages: [],
          errors: [],
        });
        expect(decodeValue([value, value, value], 2)).to.deep.equal({
          batch: true,
          messages: [],
          errors: [],
        });
      });
    }

    it('is never answered when valid: a success and an error response, alone or in a batch', () => {
      const success = { jsonrpc: '2.0', result: [1], id: 1 };
      const failure = { jsonrpc: '2.0', error: { code: -32603, message: 'Internal error' }, id: 2 };
      expect(decodeValue(success).errors).to.deep.equal([]);
      expect(decodeValue(failure).errors).to.deep.equal([]);
      expect(decodeValue([success, failure])).to.deep.equal({
        batch: true,
        messages: [success, failure],
        errors: [],
      });
    });

    it('is still a request when it has a method, so an invalid one is answered', () => {
      expect(decodeValue({ jsonrpc: '2.0', method: 5, result: 1, id: 1 })).to.deep.equal({
        batch: false,
        messages: [],
        errors: [INVALID_REQUEST],
      });
    });
  });

  describe('input', () => {
    const text =
      '{"jsonrpc":"2.0","method":"h\u00e9llo \u20ac \ud83d\ude00","params":{"k":"\u00fc"},"id":"\u00e9"}';
    const expected: JsonRpcDecoded = {
      batch: false,
      messages: [
        {
          jsonrpc: '2.0',
          method: 'h\u00e9llo \u20ac \ud83d\ude00',
          params: { k: '\u00fc' },
          id: '\u00e9',
        },
      ],
      errors: [],
    };

    it('accepts a string', () => {
      expect(decodeFrame(text)).to.deep.equal(expected);
    });

    it('ignores a leading byte-order mark, in text as in bytes', () => {
      expect(decodeFrame(`\ufeff${text}`)).to.deep.equal(expected);
      expect(decodeFrame(bytes(`\ufeff${text}`))).to.deep.equal(expected);
    });

    it('accepts UTF-8 bytes, multi-byte characters included', () => {
      expect(decodeFrame(bytes(text))).to.deep.equal(expected);
    });

    it('reads only the bytes of a Uint8Array view into a larger buffer', () => {
      const encoded = bytes(text);
      const buffer = new Uint8Array(encoded.length + 8).fill(0xff);
      buffer.set(encoded, 4);
      const view = new Uint8Array(buffer.buffer, 4, encoded.length);
      expect(decodeFrame(view)).to.deep.equal(expected);
    });

    it('gives the same answer for a batch as text and as bytes', () => {
      const batch = '[{"jsonrpc":"2.0","method":"m","id":1},{"foo":"boo"}]';
      const fromText = decodeFrame(batch);
      expect(fromText).to.deep.equal({
        batch: true,
        messages: [{ jsonrpc: '2.0', method: 'm', id: 1 }],
        errors: [INVALID_REQUEST],
      });
      expect(decodeFrame(bytes(batch))).to.deep.equal(fromText);
    });
  });
});
