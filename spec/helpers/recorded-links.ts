/**
 * A client over a ReconnectingTransport whose links are memory pairs, each with a fresh server
 * connection; every call the client writes, and every result it receives, is recorded with its
 * link: the recording peer a property test checks its calls against.
 */
import { Observable } from 'rxjs';
import {
  createMemoryTransportPair,
  JsonRpcConnection,
  JsonRpcConnectionType,
  ReconnectingTransport,
  type JsonRpcConnectionOptions,
  type Transport,
} from '../../lib/index.js';

/** One call (a request, a notification or a batch member) as the client wrote it. */
export interface WrittenCall {
  /** The index of the link it was written on. */
  readonly link: number;
  /** The index of the frame it was written in (the calls of a batch share one). */
  readonly frame: number;
  readonly method: unknown;
  readonly params: unknown;
  /** The request id; undefined for a notification. */
  readonly id: unknown;
}

/** One answer the client received. */
export interface ReceivedAnswer {
  readonly link: number;
  readonly id: unknown;
  readonly result: unknown;
}

/** One link: its server, and whether the client has seen it end. */
export interface RecordedLink {
  readonly index: number;
  readonly server: JsonRpcConnection;
  ended: boolean;
}

/** A link end that reports each frame written to it, each one it receives, and its end. */
class RecordingLink extends Observable<Uint8Array | string> implements Transport {
  readonly textFrames = true;

  constructor(
    private readonly inner: Transport,
    private readonly onWrite: (frame: Uint8Array | string) => void,
    onRead: (frame: Uint8Array | string) => void,
    onEnd: () => void,
  ) {
    super((subscriber) => {
      const reading = inner.subscribe({
        next: (frame) => {
          onRead(frame);
          subscriber.next(frame);
        },
        error: (error: unknown) => {
          onEnd();
          subscriber.error(error);
        },
        complete: () => {
          onEnd();
          subscriber.complete();
        },
      });
      return () => reading.unsubscribe();
    });
  }

  next(frame: Uint8Array | string): void {
    this.onWrite(frame);
    this.inner.next(frame);
  }

  complete(): void {
    this.inner.complete();
  }

  error(error: unknown): void {
    this.inner.error(error);
  }
}

/**
 * Opens links at once, or refuses them while `state.refusing`; a lost link is retried after
 * 1 ms, for ever (no randomness in the backoff: a run replays exactly under fake timers).
 */
export function recordedLinks(
  serve: (server: JsonRpcConnection) => void,
  options: { client?: JsonRpcConnectionOptions; server?: JsonRpcConnectionOptions } = {},
) {
  const links: RecordedLink[] = [];
  const written: WrittenCall[] = [];
  const received: ReceivedAnswer[] = [];
  const state = { refusing: false };
  const decoder = new TextDecoder();
  const messagesOf = (frame: Uint8Array | string): Record<string, unknown>[] => {
    const parsed: unknown = JSON.parse(typeof frame === 'string' ? frame : decoder.decode(frame));
    return (Array.isArray(parsed) ? parsed : [parsed]) as Record<string, unknown>[];
  };
  let frames = 0;
  const record = (frame: Uint8Array | string, link: number): void => {
    const index = frames++;
    for (const call of messagesOf(frame)) {
      written.push({ link, frame: index, method: call.method, params: call.params, id: call.id });
    }
  };
  const receive = (frame: Uint8Array | string, link: number): void => {
    for (const message of messagesOf(frame)) {
      if ('result' in message) received.push({ link, id: message.id, result: message.result });
    }
  };
  const transport = new ReconnectingTransport(
    async () => {
      if (state.refusing) throw new Error('Link refused');
      const [clientEnd, serverEnd] = createMemoryTransportPair();
      const server = new JsonRpcConnection(serverEnd, JsonRpcConnectionType.SERVER, options.server);
      serve(server);
      const link: RecordedLink = { index: links.length, server, ended: false };
      links.push(link);
      return new RecordingLink(
        clientEnd,
        (frame) => record(frame, link.index),
        (frame) => receive(frame, link.index),
        () => (link.ended = true),
      );
    },
    { delayMs: 1, maxDelayMs: 1, attempts: Infinity },
  );
  const client = new JsonRpcConnection(transport, JsonRpcConnectionType.CLIENT, options.client);
  return {
    client,
    links,
    written,
    /** The results the client received (not the errors, nor the notifications). */
    received,
    state,
    /** The latest link opened: the current one while the client is open. */
    current: (): RecordedLink | undefined => links.at(-1),
    /** Drops the current link, as a server going away would; nothing while there is none. */
    drop: (): void => {
      const link = links.at(-1);
      if (link && !link.ended) void link.server.close();
    },
  };
}
