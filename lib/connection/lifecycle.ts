/**
 * A connection's state and end as Observables, made on first use (an idle connection holds
 * no Subject for them).
 * @module
 */
import { AsyncSubject, BehaviorSubject, type Observable } from 'rxjs';
import type { TransportLinkState } from '../transports/transport.js';

/** How a connection ended, as `closed$` reports it. */
export interface JsonRpcCloseEvent {
  /** `'local'`: `close()` was called; `'remote'`: the wire closed; `'error'`: it broke. */
  readonly reason: 'local' | 'remote' | 'error';
  /** The transport's error, for `'error'`. */
  readonly error?: unknown;
}

/**
 * A connection's state: `'open'`, then `'closed'`; over a reconnecting transport also
 * `'connecting'` (before its first link) and `'reconnecting'` (a link was lost).
 */
export type JsonRpcConnectionState = TransportLinkState | 'closed';

/**
 * The Subjects behind a connection's `state$` and `closed$`, made when first asked for (the
 * connection keeps its state and end as plain fields until then).
 */
export class ConnectionLifecycle {
  private stateSubject: BehaviorSubject<JsonRpcConnectionState> | undefined = undefined;
  private endSubject: AsyncSubject<JsonRpcCloseEvent> | undefined = undefined;

  constructor(
    private state: JsonRpcConnectionState,
    private endEvent: JsonRpcCloseEvent | undefined,
  ) {}

  /** The state, the current one first; completes after `'closed'`. */
  get state$(): Observable<JsonRpcConnectionState> {
    if (!this.stateSubject) {
      this.stateSubject = new BehaviorSubject(this.state);
      if (this.state === 'closed') this.stateSubject.complete();
    }
    return this.stateSubject.asObservable();
  }

  /** Emits how the connection ended, then completes; replays to late subscribers. */
  get closed$(): Observable<JsonRpcCloseEvent> {
    if (!this.endSubject) {
      this.endSubject = new AsyncSubject<JsonRpcCloseEvent>();
      if (this.endEvent) {
        this.endSubject.next(this.endEvent);
        this.endSubject.complete();
      }
    }
    return this.endSubject.asObservable();
  }

  set(state: JsonRpcConnectionState): void {
    this.state = state;
    this.stateSubject?.next(state);
  }

  /** The connection ended: `'closed'`, then the close event, and both streams complete. */
  end(event: JsonRpcCloseEvent): void {
    this.set('closed');
    this.stateSubject?.complete();
    this.endEvent = event;
    this.endSubject?.next(event);
    this.endSubject?.complete();
  }
}
