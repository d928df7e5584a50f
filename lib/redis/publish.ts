/**
 * A publish bounded in time: node-redis keeps commands while its link is down, and one
 * already sent waits for its answer however long the server takes, so the broker sets its own
 * deadline. When it passes, a command still waiting to be sent is withdrawn (its signal
 * aborts); one already sent may still take effect.
 * @module
 */
import { TimeoutError } from '@redis/client';

/**
 * Runs `send` and settles with it, or rejects once `timeoutMs` pass.
 * @returns the id `send` resolves with; rejects with an Error naming the topic
 */
export function publishWithin(
  topic: string,
  timeoutMs: number,
  send: (signal: AbortSignal) => Promise<string>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const controller = new AbortController();
    const timedOut = (cause?: unknown): Error =>
      new Error(`Publishing to topic "${topic}" timed out after ${timeoutMs} ms`, { cause });
    const timer = setTimeout(() => {
      controller.abort();
      reject(timedOut());
    }, timeoutMs);
    send(controller.signal).then(
      (id) => {
        clearTimeout(timer);
        resolve(id);
      },
      (error: unknown) => {
        clearTimeout(timer);
        // node-redis's own TimeoutError has an empty message.
        if (error instanceof TimeoutError || controller.signal.aborted) {
          reject(timedOut(error));
          return;
        }
        const reason = error instanceof Error ? error.message || error.name : String(error);
        reject(new Error(`Publishing to topic "${topic}" failed: ${reason}`, { cause: error }));
      },
    );
  });
}
