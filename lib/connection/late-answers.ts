/**
 * Answers still looked for after their request was given up on.
 * @module
 */
import type { JsonRpcResponse } from '../protocol/messages.js';

/**
 * Requests given up on whose late answer is still looked for: the most recent ones, so that
 * a peer that never answers costs a bounded amount.
 */
export const LATE_ANSWERS_KEPT = 1000;

/** What to do with the late result of each request given up on, by id; bounded. */
export class LateAnswers {
  private readonly byId = new Map<number, (result: unknown) => void>();

  add(id: number, late: (result: unknown) => void): void {
    this.byId.set(id, late);
    if (this.byId.size <= LATE_ANSWERS_KEPT) return;
    for (const oldest of this.byId.keys()) return void this.byId.delete(oldest);
  }

  /** Hands a late result on; an error answer is dropped. False when nothing looked for it. */
  take(response: JsonRpcResponse): boolean {
    const id = response.id;
    const late = typeof id === 'number' ? this.byId.get(id) : undefined;
    if (!late) return false;
    this.byId.delete(id as number);
    if ('result' in response) late(response.result);
    return true;
  }
}
