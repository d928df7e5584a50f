/**
 * The client side of remote Observables: `observe$()` subscriptions of one connection, the
 * notifications they consume, and their resubscription after a reconnect.
 * @module
 */
import { Observable } from 'rxjs';
import { GuardedObservable } from '../util/guarded.js';
import { ConnectionClosedError, RequestTimeoutError } from '../protocol/errors.js';
import type { JsonRpcNotification, JsonRpcParams } from '../protocol/messages.js';
import { Channel, RemoteSubscription, type StreamSpec, type ValueParams } from './remote.js';
import { methodNames, resolveObserveOptions, type ObserveOptions } from './options.js';

/** Settles a request: an error, or `undefined` and the result. */
type Settle = (error: Error | undefined, result?: unknown) => void;

/** What `observe$()` needs of its connection. */
export interface ObservePort {
  /** Sends a request (or parks it while offline), with no timeout; its id while it is pending. */
  request(method: string, params: JsonRpcParams | undefined, settle: Settle): number | undefined;
  /** The connection's default timeout, in milliseconds (0: none). */
  readonly timeoutMs: number;
  /**
   * Gives up on a request, sent or not, without settling it: the peer is told, and `late`
   * gets its result should it still arrive.
   */
  forsake(id: number, late: (result: unknown) => void): void;
  /** A notification no stream consumes goes on to `requests$` and `notifications$`. */
  release(notification: JsonRpcNotification): void;
  /** True while the link is up. */
  readonly online: boolean;
  readonly maxEarlyNotifications: number;
  reportError(error: unknown): void;
}

const ignore: Settle = () => undefined;

/** The live `observe$()` subscriptions of one connection. */
export class ObservedStreams {
  /** By notification method: only these methods are looked at. */
  private readonly channels = new Map<string, Channel>();
  private readonly all = new Set<RemoteSubscription>();

  constructor(private readonly port: ObservePort) {}

  /** Live subscriptions. */
  get size(): number {
    return this.all.size;
  }

  /**
   * @throws TypeError for an invalid option, or `resume` with params by position
   */
  observe$(
    name: string,
    params: JsonRpcParams | undefined,
    options?: ObserveOptions,
  ): Observable<unknown> {
    const resolved = resolveObserveOptions(options);
    if (resolved.resume && Array.isArray(params)) {
      throw new TypeError('The "resume" option needs params by name (an object) or none');
    }
    const spec: StreamSpec = { ...methodNames(name, resolved), params, options: resolved };
    const source$ = new Observable<unknown>((subscriber) => {
      const channel = this.channelOf(spec.notification);
      const record = new RemoteSubscription(spec, channel, subscriber, (error) =>
        this.port.reportError(error),
      );
      channel.members++;
      this.all.add(record);
      this.subscribe(record);
      return () => this.cancel(record);
    });
    return new GuardedObservable(source$, (error) => this.port.reportError(error));
  }

  /** Takes a notification that belongs to a live subscription; false for any other. */
  consume(notification: JsonRpcNotification): boolean {
    const channel = this.channels.get(notification.method);
    if (!channel) return false;
    const params = notification.params as ValueParams | undefined;
    if (typeof params !== 'object' || params === null || Array.isArray(params)) return false;
    const record = channel.byId.get(params.subscription);
    if (record) {
      record.receive(params, (done) => this.forget(done));
      return true;
    }
    if (channel.subscribing.size === 0) return false;
    // An answer still on its way may claim it: hold it, bounded.
    channel.early.push(notification);
    if (channel.early.length > this.port.maxEarlyNotifications) {
      this.port.release(channel.early.shift()!);
    }
    return true;
  }

  /** The link dropped: server ids are void; each subscription waits to resubscribe, or errors. */
  linkLost(): void {
    for (const record of [...this.all]) {
      record.unbind();
      if (!record.spec.options.resubscribe) {
        this.forget(record);
        record.subscriber.error(new ConnectionClosedError('Connection lost'));
      } else {
        record.state = 'offline';
      }
    }
    for (const channel of this.channels.values()) this.release(channel, channel.early.splice(0));
  }

  /** A link is up: every subscription waiting for it subscribes again. */
  linkOpen(): void {
    for (const record of [...this.all]) if (record.state === 'offline') this.subscribe(record);
  }

  /** The connection closed: every subscription errors with `error`. */
  closeAll(error: Error): void {
    for (const record of [...this.all]) {
      this.forget(record);
      record.subscriber.error(error);
    }
    this.channels.clear();
  }

  private subscribe(record: RemoteSubscription): void {
    const attempt = record.begin();
    const { spec } = record;
    record.requestId = this.port.request(spec.subscribe, record.params(), (error, result) =>
      this.onAnswer(record, attempt, error, result),
    );
    const timeoutMs = spec.options.timeout ?? this.port.timeoutMs;
    if (timeoutMs > 0 && record.attempt === attempt && record.state === 'subscribing') {
      // Erroring the subscriber tears it down: cancel() gives up on the subscribe request.
      record.timer = setTimeout(() => {
        record.timer = undefined;
        record.subscriber.error(new RequestTimeoutError(spec.subscribe, timeoutMs));
      }, timeoutMs);
    }
  }

  private onAnswer(
    record: RemoteSubscription,
    attempt: number,
    error: Error | undefined,
    result: unknown,
  ): void {
    if (attempt !== record.attempt || record.state === 'ended') return; // from a lost link
    const { channel, spec } = record;
    channel.subscribing.delete(record);
    record.requestId = undefined;
    record.stopTimer();
    const id = typeof result === 'string' || typeof result === 'number' ? result : undefined;
    if (error || id === undefined) {
      this.forget(record);
      record.subscriber.error(
        error ??
          new TypeError(
            `'${spec.subscribe}' answered ${JSON.stringify(result)}, not a subscription id`,
          ),
      );
    } else {
      record.bind(id);
    }
    this.flushEarly(channel);
  }

  /**
   * The subscriber unsubscribed (or its subscribe timed out): the record goes at once. A
   * bound subscription is unsubscribed; a subscribe in flight is cancelled, and should the
   * server still answer it, the subscription it made is unsubscribed.
   */
  private cancel(record: RemoteSubscription): void {
    if (record.state === 'ended') return;
    if (record.state === 'bound') {
      this.unsubscribe(record, record.serverId!);
    } else if (record.state === 'subscribing' && record.requestId !== undefined) {
      const { unsubscribe } = record.spec;
      this.port.forsake(record.requestId, (result) => {
        if ((typeof result === 'string' || typeof result === 'number') && this.port.online) {
          this.port.request(unsubscribe, [result], ignore);
        }
      });
    }
    this.forget(record);
    this.flushEarly(record.channel);
  }

  private unsubscribe(record: RemoteSubscription, id: string | number): void {
    const { channel } = record;
    channel.early = channel.early.filter(
      (held) => (held.params as ValueParams).subscription !== id,
    );
    if (this.port.online) this.port.request(record.spec.unsubscribe, [id], ignore);
  }

  private forget(record: RemoteSubscription): void {
    if (record.state === 'ended') return;
    record.unbind();
    record.state = 'ended';
    this.all.delete(record);
    const { channel } = record;
    channel.members--;
    if (channel.members === 0 && channel.early.length === 0) {
      this.channels.delete(record.spec.notification);
    }
  }

  /** Held notifications go to the subscription they name, or on once nobody may claim them. */
  private flushEarly(channel: Channel): void {
    if (channel.early.length === 0) return;
    const held = channel.early.splice(0);
    const unclaimed = held.filter((notification) => {
      const params = notification.params as ValueParams;
      const record = channel.byId.get(params.subscription);
      if (record) record.receive(params, (done) => this.forget(done));
      return !record;
    });
    if (channel.subscribing.size > 0) channel.early.push(...unclaimed);
    else this.release(channel, unclaimed);
  }

  private release(channel: Channel, notifications: JsonRpcNotification[]): void {
    for (const notification of notifications) this.port.release(notification);
    if (channel.members === 0 && channel.early.length === 0) {
      for (const [method, other] of this.channels)
        if (other === channel) this.channels.delete(method);
    }
  }

  private channelOf(method: string): Channel {
    let channel = this.channels.get(method);
    if (!channel) this.channels.set(method, (channel = new Channel()));
    return channel;
  }
}
