/**
 * rxjs-jsonrpc/node: transports and servers that need Node (ws, streams, net), beside
 * everything of the main entry, so one import serves a Node program.
 * @module
 */
export * from './index.js';
export {
  DEFAULT_HIGH_WATER_MARK,
  DEFAULT_MAX_BUFFERED_BYTES,
  SlowPeerError,
  WebSocketTransport,
} from './transports/ws.js';
export type { WebSocketCloseInfo, WebSocketTransportOptions } from './transports/ws.js';
export { DEFAULT_HEARTBEAT_MS, DEFAULT_MAX_PAYLOAD, serveWebSocket } from './websocket/serve.js';
export type { ServeWebSocketOptions, WebSocketServerHandle } from './websocket/serve.js';
export { connectWebSocket, DEFAULT_HANDSHAKE_TIMEOUT_MS } from './websocket/connect.js';
export type { ConnectWebSocketOptions } from './websocket/connect.js';
export { WebSocketConnectError } from './websocket/errors.js';
export type { WebSocketConnectErrorDetails } from './websocket/errors.js';
export type { AllowedOrigins } from './websocket/handshake.js';
