/**
 * The Lua scripts that publish: each takes the topic's next sequence number and writes the
 * value in one atomic step, so every publisher of a topic shares one numbering. They run as
 * `EVAL`, never `EVALSHA`: retrying a `NOSCRIPT` reply would reorder overlapping publishes.
 * @module
 */
import type { TopicKeys } from './keys.js';
import type { RedisClient } from './clients.js';

/**
 * KEYS: seq, stream. ARGV: maxLen, json. Returns the entry id `<ms>-<seq>`: the server's time
 * (never below the last entry's) and the sequence number, which never goes below the last
 * entry's either, even if the counter was lost. Lua formats numbers with `%d`: `tostring`
 * turns large ones into exponents.
 */
export const STREAM_PUBLISH_SCRIPT = `
local seq = redis.call('INCR', KEYS[1])
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)[1]
if last then
  local lastMs, lastSeq = string.match(last[1], '^(%d+)-(%d+)$')
  lastMs, lastSeq = tonumber(lastMs), tonumber(lastSeq)
  if seq <= lastSeq then
    seq = lastSeq + 1
    redis.call('SET', KEYS[1], string.format('%d', seq))
  end
  if ms < lastMs then ms = lastMs end
end
local id = string.format('%d-%d', ms, seq)
return redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[1], id,
  'seq', string.format('%d', seq), 'v', ARGV[2])
`;

/** KEYS: seq. ARGV: channel, json. Publishes `<seq>:<json>` and returns the sequence number. */
export const CHANNEL_PUBLISH_SCRIPT = `
local seq = string.format('%d', redis.call('INCR', KEYS[1]))
redis.call('PUBLISH', ARGV[1], seq .. ':' .. ARGV[2])
return seq
`;

/** Appends `json` to the topic's stream; resolves with the entry id. */
export async function publishToStream(
  client: RedisClient,
  keys: TopicKeys,
  maxLen: number,
  json: string,
  signal: AbortSignal,
): Promise<string> {
  const args = [keys.seq, keys.stream, String(maxLen), json];
  const reply = await client.sendCommand(['EVAL', STREAM_PUBLISH_SCRIPT, '2', ...args], {
    abortSignal: signal,
  });
  return idOf(reply);
}

/** Publishes `json` on the topic's channel; resolves with its sequence number, as a string. */
export async function publishToChannel(
  client: RedisClient,
  keys: TopicKeys,
  json: string,
  signal: AbortSignal,
): Promise<string> {
  const args = [keys.seq, keys.channel, json];
  const reply = await client.sendCommand(['EVAL', CHANNEL_PUBLISH_SCRIPT, '1', ...args], {
    abortSignal: signal,
  });
  return idOf(reply);
}

function idOf(reply: unknown): string {
  if (typeof reply === 'string' || typeof reply === 'number') return String(reply);
  throw new Error(`Unexpected reply to the publish script: ${typeof reply}`);
}
