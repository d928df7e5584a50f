/**
 * A JSON-RPC connection over a pair of Node streams: the plumbing shared by the TCP and
 * child-process helpers.
 * @module
 */
import type { Readable, Writable } from 'node:stream';
import { JsonRpcConnection } from '../../connection/connection.js';
import {
  resolveConnectionOptions,
  type JsonRpcConnectionOptions,
  type JsonRpcConnectionType,
} from '../../connection/options.js';
import { StreamTransport } from '../../transports/byte-stream/transport.js';
import {
  resolveStreamTransportOptions,
  STREAM_TRANSPORT_OPTION_NAMES,
  type StreamTransportOptions,
} from '../../transports/byte-stream/options.js';

/** The transport's options and the connection's, side by side. */
export interface StreamConnectionOptions extends StreamTransportOptions, JsonRpcConnectionOptions {}

/** Options split in two, both validated. */
export interface SplitStreamOptions {
  readonly transport: StreamTransportOptions;
  readonly connection: JsonRpcConnectionOptions;
  /** Where a failure outside any call goes: the connection's `onError`. */
  readonly onError: (error: unknown) => void;
}

/**
 * Splits and validates the options of a stream helper, so that a mistake throws at once.
 * @throws TypeError or RangeError for an invalid option
 */
export function splitStreamOptions(options: StreamConnectionOptions): SplitStreamOptions {
  resolveStreamTransportOptions(options);
  const transport: Record<string, unknown> = {};
  const connection: Record<string, unknown> = { ...options };
  for (const name of STREAM_TRANSPORT_OPTION_NAMES) {
    transport[name] = options[name];
    delete connection[name];
  }
  // Resolved once: a server's connections share it.
  const resolved = resolveConnectionOptions(connection);
  return {
    transport: transport as unknown as StreamTransportOptions,
    connection: resolved,
    onError: resolved.onError,
  };
}

/** A transport over the streams and a connection over it. */
export function connectStreams(
  readable: Readable,
  writable: Writable,
  options: SplitStreamOptions,
  role: JsonRpcConnectionType,
): { transport: StreamTransport; connection: JsonRpcConnection } {
  const transport = new StreamTransport(readable, writable, options.transport);
  return { transport, connection: new JsonRpcConnection(transport, role, options.connection) };
}
