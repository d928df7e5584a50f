/**
 * What `serve()` sees of a connection, as one object with methods (no closure per member).
 * @module
 */
import type { ServePort } from '../dispatch/serve.js';
import type { JsonRpcError } from '../protocol/errors.js';
import type { JsonRpcCall } from '../protocol/messages.js';
import type { ServedStreams } from '../streams/served.js';
import type { Inbound } from './inbound.js';
import type { ResolvedConnectionOptions } from './options.js';

/** The connection pieces the port forwards to. */
export interface ServePortSource<Connection> {
  readonly connection: Connection;
  readonly inbound: Inbound;
  readonly options: ResolvedConnectionOptions;
  signalOf(call: JsonRpcCall): AbortSignal;
  /** The connection's server subscriptions, made on first use. */
  streams(): ServedStreams;
}

/** The {@link ServePort} of one connection. */
export class ConnectionServePort<Connection> implements ServePort<Connection> {
  constructor(private readonly source: ServePortSource<Connection>) {}

  get connection(): Connection {
    return this.source.connection;
  }

  get calls$() {
    return this.source.inbound.calls;
  }

  signalOf(call: JsonRpcCall): AbortSignal {
    return this.source.signalOf(call);
  }

  answer(
    call: JsonRpcCall,
    error: JsonRpcError | undefined,
    result?: unknown,
    onSent?: () => void,
  ): boolean {
    return this.source.inbound.answer(call, error, result, onSent);
  }

  abandon(call: JsonRpcCall): void {
    const { inbound } = this.source;
    inbound.cancel(inbound.incoming.get(call), true);
  }

  reportError(error: unknown, call?: JsonRpcCall): void {
    this.source.options.onError(error, call);
  }

  streams(): ServedStreams {
    return this.source.streams();
  }
}
