/**
 * A topic's stream entries as the broker reads them: `seq` and `v` (the JSON value) under the
 * entry id `<ms>-<seq>`, and the two reads of a stream's history the readers need.
 * @module
 */
import type { RedisClient } from './clients.js';

/** One entry of a topic's stream. */
export interface StreamEntry {
  /** The entry id, which is the event id. */
  readonly id: string;
  /** The topic's sequence number of this value. */
  readonly seq: number;
  /** The value, parsed. */
  readonly value: unknown;
}

/** Entries read per command, from the history (XRANGE) and live (XREAD). */
export const ENTRIES_PER_READ = 500;

/**
 * The entries among node-redis's parsed stream messages (`{ id, message }`); anything else in
 * the stream (not written by a broker) is skipped.
 */
export function parseEntries(messages: unknown): StreamEntry[] {
  if (!Array.isArray(messages)) return [];
  const entries: StreamEntry[] = [];
  for (const message of messages as unknown[]) {
    const entry = parseEntry(message);
    if (entry) entries.push(entry);
  }
  return entries;
}

function parseEntry(message: unknown): StreamEntry | undefined {
  if (typeof message !== 'object' || message === null) return undefined;
  const { id, message: fields } = message as { id?: unknown; message?: unknown };
  const seq = Number(field(fields, 'seq'));
  const json = field(fields, 'v');
  if (typeof id !== 'string' || !Number.isSafeInteger(seq) || json === undefined) return undefined;
  try {
    return { id, seq, value: JSON.parse(json) as unknown };
  } catch {
    return undefined;
  }
}

function field(fields: unknown, name: string): string | undefined {
  const value: unknown =
    fields instanceof Map
      ? fields.get(name)
      : typeof fields === 'object' && fields !== null
        ? (fields as Record<string, unknown>)[name]
        : undefined;
  if (typeof value === 'string') return value;
  return Buffer.isBuffer(value) ? value.toString() : undefined;
}

/** The id of the last message in the stream at `key` (any message), or undefined if none. */
export async function lastEntryId(client: RedisClient, key: string): Promise<string | undefined> {
  const [last] = (await client.xRevRange(key, '+', '-', { COUNT: 1 })) ?? [];
  return last === undefined ? undefined : String(last.id);
}

/**
 * Up to {@link ENTRIES_PER_READ} messages after `afterId` (exclusive).
 * @returns the entries and whether the read was full (there may be more)
 */
export async function entriesAfter(
  client: RedisClient,
  key: string,
  afterId: string,
): Promise<{ entries: StreamEntry[]; lastId: string | undefined; full: boolean }> {
  const messages =
    (await client.xRange(key, `(${afterId}`, '+', { COUNT: ENTRIES_PER_READ })) ?? [];
  const last = messages.at(-1);
  return {
    entries: parseEntries(messages),
    lastId: last === undefined ? undefined : String(last.id),
    full: messages.length === ENTRIES_PER_READ,
  };
}
