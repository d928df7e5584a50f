/**
 * Retrying a command through link faults: node-redis fails the commands in flight when its
 * link drops, then reconnects; a reader's command is simply sent again. An error the server
 * answered (a reply error, such as a key of the wrong type) is not retried.
 * @module
 */
import { ErrorReply } from '@redis/client';
import { setTimeout as sleep } from 'node:timers/promises';

const FIRST_RETRY_MS = 100;
const MAX_RETRY_MS = 1_000;

/**
 * Runs `attempt` until it succeeds, waiting longer after each link fault.
 * @param wanted false once the result is no longer needed
 * @param signal aborted when the broker closes
 * @returns `{ value }`, or undefined if it stopped being wanted first; rejects with the
 *   server's reply error
 */
export async function persist<T>(
  attempt: () => Promise<T>,
  wanted: () => boolean,
  signal: AbortSignal,
): Promise<{ value: T } | undefined> {
  for (let failures = 0; !signal.aborted && wanted(); failures++) {
    try {
      return { value: await attempt() };
    } catch (error) {
      if (error instanceof ErrorReply) throw error;
    }
    const delayMs = Math.min(FIRST_RETRY_MS * 2 ** failures, MAX_RETRY_MS);
    try {
      await sleep(delayMs, undefined, { signal });
    } catch {
      return undefined; // the broker closed
    }
  }
  return undefined;
}
