/**
 * One `observe$()` subscription: the stable handle a subscriber holds, mapped to the server
 * id of the current link.
 * @module
 */
import type { Subscriber } from 'rxjs';
import { InternalError, JsonRpcError } from '../protocol/errors.js';
import type {
  JsonRpcErrorObject,
  JsonRpcNotification,
  JsonRpcParams,
} from '../protocol/messages.js';
import type { ObserveOptions, StreamMethodNames } from './options.js';

/** What one `observe$()` call asked for. */
export interface StreamSpec extends Required<StreamMethodNames> {
  readonly params: JsonRpcParams | undefined;
  readonly options: ObserveOptions & { resubscribe: boolean; resume: boolean };
}

/** The params of a subscription notification, as received (anything may be missing). */
export interface ValueParams {
  readonly subscription?: unknown;
  readonly result?: unknown;
  readonly error?: unknown;
  readonly complete?: unknown;
  readonly dropped?: unknown;
  readonly eventId?: unknown;
  readonly _meta?: unknown;
}

/** The subscriptions sharing one notification method. */
export class Channel {
  /** Bound subscriptions by server id. */
  readonly byId = new Map<unknown, RemoteSubscription>();
  /** Subscriptions whose subscribe awaits its answer. */
  readonly subscribing = new Set<RemoteSubscription>();
  /** Notifications with an unknown id, held while a subscribe may still claim them. */
  early: JsonRpcNotification[] = [];
  /** Subscriptions using this channel. */
  members = 0;
}

/**
 * `subscribing` (its subscribe sent or waiting for the link), `bound` (to `serverId`),
 * `offline` (the link dropped; it subscribes again on the next one), `ended`.
 */
export type RemoteState = 'subscribing' | 'bound' | 'offline' | 'ended';

/** One `observe$()` subscription: what it asked for, its subscriber, its current server id. */
export class RemoteSubscription {
  state: RemoteState = 'subscribing';
  serverId: string | number | undefined = undefined;
  requestId: number | undefined = undefined;
  /** Bumped whenever an answer in flight becomes stale. */
  attempt = 0;
  /** The subscribe's timeout, while it runs. */
  timer: ReturnType<typeof setTimeout> | undefined = undefined;
  private lastEventId: unknown = undefined;

  constructor(
    readonly spec: StreamSpec,
    readonly channel: Channel,
    readonly subscriber: Subscriber<unknown>,
    private readonly report: (error: unknown) => void,
  ) {}

  /** A subscribe goes out: returns its attempt number. */
  begin(): number {
    this.state = 'subscribing';
    this.channel.subscribing.add(this);
    return ++this.attempt;
  }

  bind(id: string | number): void {
    this.serverId = id;
    this.state = 'bound';
    this.channel.byId.set(id, this);
  }

  /** Forgets the server id and makes any answer in flight stale. */
  unbind(): void {
    const { channel, serverId } = this;
    channel.subscribing.delete(this);
    if (serverId !== undefined && channel.byId.get(serverId) === this)
      channel.byId.delete(serverId);
    this.serverId = undefined;
    this.requestId = undefined;
    this.attempt++;
    this.stopTimer();
  }

  stopTimer(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The subscribe's params: on a resume, with `_meta.lastEventId`. */
  params(): JsonRpcParams | undefined {
    const { params, options } = this.spec;
    if (!options.resume || this.lastEventId === undefined) return params;
    const named = (params ?? {}) as ValueParams & Record<string, unknown>;
    const meta = typeof named._meta === 'object' && named._meta !== null ? named._meta : {};
    return { ...named, _meta: { ...meta, lastEventId: this.lastEventId } };
  }

  /** A notification for this subscription: a value, its error or its completion. */
  receive(params: ValueParams, end: (record: RemoteSubscription) => void): void {
    if ('result' in params) {
      if (this.spec.options.resume && params.eventId !== undefined) {
        if (params.eventId === this.lastEventId) return; // a resumed stream repeating itself
        this.lastEventId = params.eventId;
      }
      if (typeof params.dropped === 'number' && params.dropped > 0) this.dropped(params.dropped);
      this.subscriber.next(params.result);
    } else if (params.error !== undefined) {
      end(this);
      this.subscriber.error(toError(params.error));
    } else if (params.complete === true) {
      end(this);
      this.subscriber.complete();
    }
  }

  private dropped(count: number): void {
    try {
      this.spec.options.onDropped?.(count);
    } catch (error) {
      this.report(error);
    }
  }
}

/** A terminal error object rebuilt into its `JsonRpcError` subclass. */
function toError(error: unknown): JsonRpcError {
  const object = error as Partial<JsonRpcErrorObject> | null;
  if (
    typeof object === 'object' &&
    object !== null &&
    Number.isInteger(object.code) &&
    typeof object.message === 'string'
  ) {
    return JsonRpcError.from(object as JsonRpcErrorObject);
  }
  return new InternalError('Invalid error in a subscription notification', { error });
}
