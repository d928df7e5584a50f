/**
 * Event ids. In streams mode an event id is its stream entry id, `<ms>-<seq>`: the publish
 * script writes the topic's sequence number as the id's second part, so the number of values
 * between two ids is known even after the entries between them were trimmed. In pubsub mode
 * the event id is the sequence number itself.
 * @module
 */
import type { RedisBrokerMode } from './options.js';

const STREAM_ID = /^(\d+)-(\d+)$/;
const SEQ_ID = /^\d+$/;

/**
 * The sequence number an `after` option names: the second part of a stream entry id, or the
 * id itself in pubsub mode.
 * @throws TypeError for an id of another shape
 */
export function seqOfEventId(mode: RedisBrokerMode, after: string): number {
  const pattern = mode === 'streams' ? STREAM_ID : SEQ_ID;
  const match = typeof after === 'string' ? pattern.exec(after) : null;
  if (!match) {
    const shape = mode === 'streams' ? '"<ms>-<seq>"' : 'a sequence number';
    throw new TypeError(
      `The "after" option must be an event id of this ${mode} broker (${shape}), got ${String(after)}`,
    );
  }
  return Number(match[2] ?? match[0]);
}

/** Orders two stream entry ids (`<ms>-<seq>`): negative, zero or positive. */
export function compareStreamIds(a: string, b: string): number {
  const [aMs = '0', aSeq = '0'] = a.split('-');
  const [bMs = '0', bSeq = '0'] = b.split('-');
  const ms = BigInt(aMs) - BigInt(bMs);
  const order = ms !== 0n ? ms : BigInt(aSeq) - BigInt(bSeq);
  return order < 0n ? -1 : order > 0n ? 1 : 0;
}
