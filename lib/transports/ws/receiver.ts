/**
 * The receiving half of a `ws` WebSocket transport: the socket's events, taken from the
 * moment the transport is made, and what arrives before its subscriber can take it.
 * @module
 */
import { Observable, type Subscriber, type Unsubscribable } from 'rxjs';
import WebSocket, { type RawData } from 'ws';
import { toBytes, toText, type Frame } from './frames.js';
import { HeldFrames } from './held.js';
import type { WebSocketLimits } from './limits.js';

/** The WebSocket closed; `code` and `reason` are the close frame's. */
export interface WebSocketCloseInfo {
  readonly code: number;
  readonly reason: string;
}

/**
 * Frames in from one socket, to one subscriber at a time. The socket's events are taken when
 * the receiver is made, unless an earlier one on the same socket still takes them: what the
 * peer sends before a subscriber comes is held (past `highWaterMark` bytes the socket stops
 * reading) and handed to it on a later turn of the event loop, in order, before anything
 * newer, and followed by the close if it came meanwhile. `WebSocketTransport` is the sending
 * half, built on it.
 */
export abstract class WebSocketReceiver extends Observable<Frame> {
  /** How the socket closed, once it has. */
  closeInfo: WebSocketCloseInfo | undefined = undefined;
  protected subscriber: Subscriber<Frame> | undefined = undefined;
  /** What arrived before the subscriber could take it. */
  private held: HeldFrames | undefined = undefined;

  /**
   * @param socket - an open (or opening) `ws` WebSocket
   * @param limits - checked options; `highWaterMark` bounds what is held
   */
  protected constructor(
    readonly socket: WebSocket,
    /** Resolved once, and shared by the transports of one server. */
    protected readonly limits: WebSocketLimits,
  ) {
    // eslint-disable-next-line @typescript-eslint/unbound-method -- rxjs calls it with the receiver as `this`
    super(WebSocketReceiver.subscribeTo);
    if (!attached.has(socket)) this.listen();
  }

  /** The socket closed: what the sending half must let go of. */
  protected abstract socketClosed(): void;

  /** Gives the socket's events to `subscriber`; returns how to give them back. */
  private attach(subscriber: Subscriber<Frame>): Unsubscribable | undefined {
    const { socket } = this;
    const owner = attached.get(socket);
    if (this.subscriber || owner?.subscriber) {
      const message = this.subscriber
        ? 'A WebSocket transport accepts one subscriber at a time'
        : 'This WebSocket already has a subscribed transport';
      subscriber.error(new Error(message));
      return undefined;
    }
    if (owner !== this) {
      // An earlier transport holding the socket's frames for nobody hands them over.
      this.held = owner?.held;
      if (owner) owner.held = undefined;
      owner?.unlisten();
      this.listen();
    }
    this.subscriber = subscriber;
    if (this.held) this.held.schedule(() => this.deliverHeld());
    else if (socket.readyState === WebSocket.CLOSED) this.closed(this.closeInfo?.code ?? 1006, '');
    return new WebSocketReceiver.Detach(this);
  }

  /** Ends the subscription: the socket's events are given back, and nothing is held any more. */
  private detach(): void {
    if (attached.get(this.socket) === this) this.unlisten();
    this.subscriber = undefined;
  }

  private listen(): void {
    attached.set(this.socket, this);
    for (const [event, listener] of WebSocketReceiver.listeners) this.socket.on(event, listener);
  }

  private unlisten(): void {
    attached.delete(this.socket);
    for (const [event, listener] of WebSocketReceiver.listeners) this.socket.off(event, listener);
    this.held?.release();
    this.held = undefined;
  }

  /** A frame came in: to the subscriber, or held while it has none or frames wait for it. */
  private receive(frame: Frame): void {
    if (this.held === undefined && this.subscriber) this.subscriber.next(frame);
    else (this.held ??= new HeldFrames(this.socket, this.limits.highWaterMark)).push(frame);
  }

  /** The socket ended (with `error`, or closed): to the subscriber, or held like a frame. */
  private ended(error: Error | undefined): void {
    const { subscriber } = this;
    if (this.held === undefined && subscriber) {
      if (error) subscriber.error(error);
      else subscriber.complete();
    } else {
      (this.held ??= new HeldFrames(this.socket, this.limits.highWaterMark)).end ??= { error };
    }
  }

  /** Hands the held frames to the subscriber, in order, then the socket's end. */
  private deliverHeld(): void {
    const { held } = this;
    if (!held) return;
    const { frames } = held;
    // The subscriber may leave on any frame: `held` is then released and dropped.
    for (let i = 0; i < frames.length && this.held === held; i++) this.subscriber?.next(frames[i]!);
    if (this.held !== held) return;
    this.held = undefined;
    held.release();
    if (held.end) this.ended(held.end.error);
  }

  /** The socket closed: nothing waits any more, and the subscriber completes. */
  private closed(code: number, reason: string): void {
    this.closeInfo = { code, reason };
    this.socketClosed();
    this.ended(undefined);
  }

  // The socket listeners, shared by every receiver: `this` is the socket, whose receiver is
  // found in `attached` (no closures per socket).

  private static readonly subscribeTo = function (
    this: Observable<Frame>,
    subscriber: Subscriber<Frame>,
  ) {
    return (this as WebSocketReceiver).attach(subscriber);
  };

  /** The socket's events and their listeners, called with the socket as `this`. */
  private static readonly listeners: [string, SocketListener][] = [
    [
      'message',
      function (this: WebSocket, data: RawData, isBinary: boolean): void {
        // ws has checked a text frame's UTF-8 already: hand it over as text, decoded once.
        attached.get(this)?.receive(isBinary ? toBytes(data) : toText(data));
      },
    ],
    [
      'error',
      function (this: WebSocket, error: Error): void {
        attached.get(this)?.ended(error);
      },
    ],
    [
      'close',
      function (this: WebSocket, code: number, reason: Buffer): void {
        attached.get(this)?.closed(code, reason.toString());
      },
    ],
  ];

  /** Undoes an {@link attach}: the teardown of a subscription, one small object. */
  private static Detach = class implements Unsubscribable {
    constructor(private readonly receiver: WebSocketReceiver) {}
    unsubscribe(): void {
      this.receiver.detach();
    }
  };
}

/**
 * Gives a socket this side is closing an `error` listener of its own: the subscriber, told
 * already or leaving, takes its listeners away, and a protocol error of the peer during the
 * closing handshake (ws emits one, then closes) would otherwise throw out of the socket.
 */
export function keepQuiet(socket: WebSocket): void {
  socket.off('error', ignoreError).on('error', ignoreError);
}

function ignoreError(): void {}

/** A listener of any event of a `ws` socket (the last overload of `on`). */
type SocketListener = Parameters<WebSocket['off']>[1];

/** The receiver listening to each socket: its subscribed one, or one holding its frames. */
const attached = new WeakMap<WebSocket, WebSocketReceiver>();
