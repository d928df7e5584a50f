/**
 * The Redis names of a topic: every key and channel is the broker's prefix, a kind, and the
 * topic, so brokers with different prefixes share a server without meeting.
 * @module
 */

/** The keys and the channel of one topic. */
export interface TopicKeys {
  /** The topic's stream (streams mode). */
  readonly stream: string;
  /** The topic's sequence counter (both modes). */
  readonly seq: string;
  /** The topic's channel (pubsub mode). */
  readonly channel: string;
}

/**
 * The keys and channel of `topic` under `prefix`.
 * @throws TypeError for a topic that is not a non-empty string
 */
export function topicKeys(prefix: string, topic: string): TopicKeys {
  if (typeof topic !== 'string' || topic === '') {
    throw new TypeError(`The topic must be a non-empty string, got ${String(topic)}`);
  }
  return {
    stream: `${prefix}stream:${topic}`,
    seq: `${prefix}seq:${topic}`,
    channel: `${prefix}channel:${topic}`,
  };
}
