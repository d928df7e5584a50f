/**
 * rxjs-jsonrpc/node: transports and servers that need Node (ws, streams, net). Everything of
 * the main entry is re-exported, so one import serves a Node program.
 * @module
 */
export * from './index.js';
