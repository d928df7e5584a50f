/**
 * rxjs-jsonrpc/node: transports and servers that need Node (ws, streams, net), beside
 * everything of the main entry, so one import serves a Node program.
 * @module
 */
export * from './index.js';
export {
  DEFAULT_FRAMES_PER_WRITE,
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_MAX_BUFFERED_BYTES,
  SlowPeerError,
  WebSocketTransport,
} from './transports/ws/transport.js';
export type { WebSocketCloseInfo, WebSocketTransportOptions } from './transports/ws/transport.js';
export {
  DEFAULT_HEARTBEAT_MS,
  DEFAULT_MAX_PAYLOAD,
  serveWebSocket,
} from './endpoints/websocket/serve.js';
export type { ServeWebSocketOptions, WebSocketServerHandle } from './endpoints/websocket/serve.js';
export { connectWebSocket } from './endpoints/websocket/connect.js';
export { DEFAULT_HANDSHAKE_TIMEOUT_MS } from './endpoints/websocket/client.js';
export type { ConnectWebSocketOptions } from './endpoints/websocket/connect.js';
export { WebSocketConnectError } from './endpoints/websocket/errors.js';
export type { WebSocketConnectErrorDetails } from './endpoints/websocket/errors.js';
export type { AllowedOrigins, RequestCheckOptions } from './endpoints/request-checks.js';
export { createHttpHandler } from './endpoints/http/handler.js';
export type { HttpConnectionHandler, HttpHandler } from './endpoints/http/handler.js';
export { DEFAULT_MAX_BODY_BYTES } from './endpoints/http/options.js';
export type { HttpHandlerOptions } from './endpoints/http/options.js';
export { serveHttp } from './endpoints/http/serve.js';
export type { HttpServerHandle, ServeHttpOptions } from './endpoints/http/serve.js';
export { StreamTransport, WriteBufferFullError } from './transports/byte-stream/transport.js';
export { DEFAULT_MAX_WRITE_BUFFER_BYTES } from './transports/byte-stream/options.js';
export type { StreamFraming, StreamTransportOptions } from './transports/byte-stream/options.js';
export type { StreamConnectionOptions } from './endpoints/byte-stream/connection.js';
export { connectTcp, serveTcp } from './endpoints/byte-stream/tcp.js';
export type {
  ConnectTcpOptions,
  ServeTcpOptions,
  TcpServerHandle,
} from './endpoints/byte-stream/tcp.js';
export { connectChildProcess } from './endpoints/byte-stream/child-process.js';
export { DEFAULT_MAX_MESSAGE_BYTES, FramingError } from './transports/framing/decoder.js';
export type {
  EncodeOptions,
  FrameDecoder,
  FrameOrError,
  FramingErrorCode,
} from './transports/framing/decoder.js';
export {
  ContentLengthDecoder,
  DEFAULT_MAX_HEADER_BYTES,
  encodeContentLength,
} from './transports/framing/content-length.js';
export type { ContentLengthOptions } from './transports/framing/content-length.js';
export { encodeNewline, NewlineDecoder } from './transports/framing/newline.js';
export type { NewlineOptions } from './transports/framing/newline.js';
