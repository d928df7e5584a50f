/**
 * createRedisBroker's options: each mistake throws at once (synchronously, before any
 * connection), a TypeError or RangeError naming the option; an unreachable Redis rejects.
 */
import { expect } from 'chai';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createRedisBroker,
  DEFAULT_REDIS_MAX_LEN,
  DEFAULT_REDIS_PREFIX,
  DEFAULT_REDIS_PUBLISH_TIMEOUT_MS,
  type RedisBrokerOptions,
} from '../../lib/redis/index.js';

const socket = { path: '/nonexistent/redis.sock' };

describe('createRedisBroker options', () => {
  const cases: [string, unknown, ErrorConstructor, string][] = [
    ['no options', undefined, TypeError, 'The options must be an object, got undefined'],
    ['neither url nor socket', {}, TypeError, 'One of the "url" and "socket" options is required'],
    [
      'both url and socket',
      { url: 'redis://127.0.0.1', socket },
      TypeError,
      'The "url" and "socket" options are exclusive: give one of them',
    ],
    [
      'an http url',
      { url: 'http://127.0.0.1:6379' },
      TypeError,
      'The "url" option must be a redis:// or rediss:// URL, got http://127.0.0.1:6379',
    ],
    [
      'a url that is not a string',
      { url: 6379 },
      TypeError,
      'The "url" option must be a redis:// or rediss:// URL, got 6379',
    ],
    [
      'a socket without a path',
      { socket: {} },
      TypeError,
      'The "socket.path" option must be a non-empty string, got undefined',
    ],
    [
      'an empty socket path',
      { socket: { path: '' } },
      TypeError,
      'The "socket.path" option must be a non-empty string, got ',
    ],
    [
      'an unknown mode',
      { socket, mode: 'kafka' },
      RangeError,
      `The "mode" option must be 'streams' or 'pubsub', got 'kafka'`,
    ],
    [
      'a mode not a string',
      { socket, mode: 1 },
      TypeError,
      'The "mode" option must be a string, got 1',
    ],
    [
      'a prefix not a string',
      { socket, prefix: null },
      TypeError,
      'The "prefix" option must be a string, got null',
    ],
    [
      'a maxLen not a number',
      { socket, maxLen: '10' },
      TypeError,
      'The "maxLen" option must be a number, got 10',
    ],
    [
      'a maxLen of 0',
      { socket, maxLen: 0 },
      RangeError,
      'The "maxLen" option must be a positive integer, got 0',
    ],
    [
      'a fractional maxLen',
      { socket, maxLen: 2.5 },
      RangeError,
      'The "maxLen" option must be a positive integer, got 2.5',
    ],
    [
      'an infinite maxLen',
      { socket, maxLen: Infinity },
      RangeError,
      'The "maxLen" option must be a positive integer, got Infinity',
    ],
    [
      'a publishTimeoutMs not a number',
      { socket, publishTimeoutMs: 'soon' },
      TypeError,
      'The "publishTimeoutMs" option must be a number, got soon',
    ],
    [
      'a publishTimeoutMs of 0',
      { socket, publishTimeoutMs: 0 },
      RangeError,
      'The "publishTimeoutMs" option must be between 1 and 2147483647 milliseconds, got 0',
    ],
    [
      'an infinite publishTimeoutMs',
      { socket, publishTimeoutMs: Infinity },
      RangeError,
      'The "publishTimeoutMs" option must be between 1 and 2147483647 milliseconds, got Infinity',
    ],
  ];

  for (const [name, options, type, message] of cases) {
    it(`throws at once for ${name}`, () => {
      let thrown: unknown;
      try {
        // A promise here would mean it went on to connect.
        void createRedisBroker(options as RedisBrokerOptions).catch(() => {});
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.be.instanceOf(type);
      expect((thrown as Error).message).to.equal(message);
    });
  }

  it('has documented defaults', () => {
    expect(DEFAULT_REDIS_PREFIX).to.equal('rxjs-jsonrpc:');
    expect(DEFAULT_REDIS_MAX_LEN).to.equal(100_000);
    expect(DEFAULT_REDIS_PUBLISH_TIMEOUT_MS).to.equal(5_000);
  });

  it('rejects when the first connection fails, naming where', async () => {
    const path = join(tmpdir(), `rxjs-jsonrpc-no-redis-${process.pid}.sock`);
    const error = await createRedisBroker({ socket: { path } }).then(
      () => expect.fail('connected'),
      (rejection: unknown) => rejection as Error,
    );
    expect(error.message).to.equal(`Could not connect to Redis at ${path}: connect ENOENT ${path}`);
  });

  it('rejects for a TCP port nobody listens on', async () => {
    const error = await createRedisBroker({ url: 'redis://127.0.0.1:1' }).then(
      () => expect.fail('connected'),
      (rejection: unknown) => rejection as Error,
    );
    expect(error.message).to.equal(
      'Could not connect to Redis at redis://127.0.0.1:1: connect ECONNREFUSED 127.0.0.1:1',
    );
  });
});
