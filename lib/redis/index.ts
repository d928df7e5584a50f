/**
 * rxjs-jsonrpc/redis: topics shared by every process through one Redis — published values as
 * Observables, one Redis reader per topic per process, Redis streams (resumable) or pub/sub.
 * `@redis/client` is an optional peer of this entry alone; it uses the rest of the package
 * through its public entries only.
 * @module
 */
export { createRedisBroker, RedisBroker } from './broker.js';
export type { RedisTopicOptions } from './event.js';
export {
  DEFAULT_REDIS_MAX_LEN,
  DEFAULT_REDIS_PREFIX,
  DEFAULT_REDIS_PUBLISH_TIMEOUT_MS,
} from './options.js';
export type { RedisBrokerMode, RedisBrokerOptions } from './options.js';
export type { BrokerStreamOptions, TopicOf } from './stream.js';
