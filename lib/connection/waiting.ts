/**
 * Frames of ours that wait while a reconnecting transport has no link.
 * @module
 */
import { joinBatch } from '../protocol/encode.js';
import { ConnectionClosedError } from '../protocol/errors.js';
import type { ResolvedConnectionOptions } from './options.js';

/** A frame waiting for the link: its calls' texts, and each one's id (none for a notification). */
export interface WaitingFrame {
  readonly texts: readonly string[];
  readonly ids: readonly (number | undefined)[];
  /** Sent as a batch (an array), even of one call. */
  readonly batch: boolean;
  /** Settles the promise of a lone `notify()`: once written, or with the error that dropped it. */
  readonly settle?: (error?: Error) => void;
}

/**
 * The frames waiting for a link, in order, and the requests among them. A request taken back
 * (aborted, timed out) stays in its frame's text but no longer counts: what goes out when the
 * link returns is rebuilt from the calls still live.
 */
export class WaitingFrames {
  private frames: WaitingFrame[] = [];
  private readonly requestIds = new Set<number>();
  private calls = 0;

  /** Calls waiting (requests taken back excluded): what `maxWaitingCalls` bounds. */
  get size(): number {
    return this.calls;
  }

  add(frame: WaitingFrame): void {
    this.frames.push(frame);
    for (const id of frame.ids) if (id !== undefined) this.requestIds.add(id);
    this.calls += frame.texts.length;
  }

  /** Takes a waiting request back; false when it is not waiting. */
  remove(id: number): boolean {
    if (!this.requestIds.delete(id)) return false;
    this.calls--;
    return true;
  }

  /** Empties it: the frames, in order. */
  takeAll(): WaitingFrame[] {
    const frames = this.frames;
    this.frames = [];
    this.requestIds.clear();
    this.calls = 0;
    return frames;
  }
}

/**
 * The text of a frame made of the calls still live (`isLive` says which requests are), or
 * undefined when none is.
 */
export function liveText(
  frame: Pick<WaitingFrame, 'texts' | 'ids' | 'batch'>,
  isLive: (id: number) => boolean,
): string | undefined {
  const texts = frame.texts.filter((_, index) => {
    const id = frame.ids[index];
    return id === undefined || isLive(id);
  });
  if (texts.length === 0) return undefined;
  return frame.batch ? joinBatch(texts) : texts[0];
}

/**
 * Why `calls` more calls made while the link is down cannot wait, with `waiting` already
 * waiting; undefined when they can.
 */
export function refusalToWait(
  options: Pick<ResolvedConnectionOptions, 'whileReconnecting' | 'maxWaitingCalls'>,
  waiting: number,
  calls: number,
): ConnectionClosedError | undefined {
  if (options.whileReconnecting === 'reject') {
    return new ConnectionClosedError('Not connected: the connection is reconnecting');
  }
  const max = options.maxWaitingCalls;
  if (waiting + calls <= max) return undefined;
  return new ConnectionClosedError(
    calls === 1
      ? `Not connected: ${max} calls already wait for the link (option maxWaitingCalls)`
      : `Not connected: a batch of ${calls} calls would pass the ${max} that may wait for the link (option maxWaitingCalls)`,
  );
}
