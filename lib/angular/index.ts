/**
 * rxjs-jsonrpc/angular: a connection as an Angular service — providers, signals, stream
 * resources, teardown through DestroyRef. `@angular/core` is an optional peer of this entry
 * alone; it uses the rest of the package through its public browser entry.
 * @module
 */
export { injectJsonRpc, JSON_RPC, provideJsonRpc } from './provide.js';
export type { JsonRpcConfig, JsonRpcToken, ProvideJsonRpcOptions } from './provide.js';
export { injectConnectionState, injectNotification } from './signals.js';
export type { InjectNotificationOptions, JsonRpcHelperOptions } from './signals.js';
export { injectStream } from './stream.js';
export type { InjectStreamOptions } from './stream.js';
