/**
 * rxjs-jsonrpc/browser: transports over the browser's own APIs, beside everything of the
 * main entry, so one import serves a web page.
 * @module
 */
export * from './index.js';
export { BrowserWebSocketTransport } from './transports/browser-ws.js';
export type { BrowserWebSocketTransportOptions } from './transports/browser-ws.js';
export { connectWebSocket, reconnectingWebSocket } from './endpoints/websocket/browser-connect.js';
export type {
  BrowserConnectWebSocketOptions,
  ReconnectingWebSocketOptions,
} from './endpoints/websocket/browser-connect.js';
export { WebSocketConnectError } from './endpoints/websocket/errors.js';
export type { WebSocketConnectErrorDetails } from './endpoints/websocket/errors.js';
