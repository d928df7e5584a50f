/**
 * rxjs-jsonrpc/browser: transports over the browser's own APIs. Everything of the main entry
 * is re-exported, so one import serves a web page.
 * @module
 */
export * from './index.js';
