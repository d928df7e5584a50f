/**
 * `streamEvent()`: a value of a server stream with what only its source knows — its event id,
 * and how many values were lost just before it.
 * @module
 */

/** A value with its event id and the count lost before it; made by {@link streamEvent}. */
export class JsonRpcStreamEvent<Value = unknown> {
  /** @internal Use {@link streamEvent}. */
  constructor(
    readonly value: Value,
    readonly eventId: string | number | undefined,
    readonly dropped: number,
  ) {}
}

/** What {@link streamEvent} attaches to a value. */
export interface StreamEventOptions {
  /** The value's event id (sent as `eventId`; what a client resumes after). @default the stream's `eventId` option, if any */
  eventId?: string | number;
  /** Values lost just before this one, that the client will never get (added to `dropped`). @default 0 */
  dropped?: number;
}

/**
 * Wraps a value a `stream()` factory's Observable emits, for sources that know more than the
 * value: a broker's event id, or a gap it saw (values published while it was cut off). The
 * client receives `value` as `result`, `eventId` beside it, and `dropped` counting these lost
 * values with any its own slowness cost (its `onDropped` fires).
 *
 * @throws TypeError for an event id that is neither a string nor a finite number, RangeError
 *   for a `dropped` that is not a non-negative integer
 * @example
 * stream(() => feed$.pipe(map((m) => streamEvent(m.value, { eventId: m.id, dropped: m.gap }))),
 *   { resumable: true });
 */
export function streamEvent<Value>(
  value: Value,
  options: StreamEventOptions = {},
): JsonRpcStreamEvent<Value> {
  const { eventId, dropped = 0 } = options;
  if (
    eventId !== undefined &&
    typeof eventId !== 'string' &&
    !(typeof eventId === 'number' && Number.isFinite(eventId))
  ) {
    throw new TypeError(
      `The "eventId" option must be a string or a finite number, got ${String(eventId)}`,
    );
  }
  if (typeof dropped !== 'number' || !Number.isInteger(dropped) || dropped < 0) {
    throw new RangeError(
      `The "dropped" option must be a non-negative integer, got ${String(dropped)}`,
    );
  }
  return new JsonRpcStreamEvent(value, eventId, dropped);
}
