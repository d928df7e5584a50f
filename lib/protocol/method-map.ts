/**
 * Typed method maps: describe a peer's methods once, and `request()`, `notify()` and `serve()`
 * are checked against it.
 *
 * @example
 * interface Greeter {
 *   greet(params: [name: string]): { greeting: string };
 *   ping(): 'pong';
 * }
 * const client = new JsonRpcConnection<Greeter>(transport);
 * const { greeting } = await client.request('greet', ['Bob']);
 * @module
 */
import type { JsonRpcParams } from './messages.js';

/** The map used when none is given: any method, any params, an `unknown` result. */
export type JsonRpcAnyMethods = Record<string, (params?: JsonRpcParams) => unknown>;

/** The method names of a map. */
export type JsonRpcMethodName<Methods> = keyof Methods & string;

/** The params type of a method signature: `undefined` for one that takes none. */
export type JsonRpcParamsOf<F> = F extends (...args: infer A) => unknown
  ? A extends []
    ? undefined
    : A[0]
  : never;

/** The result type of a method signature, promises unwrapped. */
export type JsonRpcResultOf<F> = F extends (...args: never[]) => infer R ? Awaited<R> : unknown;

/** `[params, options?]`, with `params` optional when the method accepts none. */
export type JsonRpcCallArgs<F, Options> =
  undefined extends JsonRpcParamsOf<F>
    ? [params?: JsonRpcParamsOf<F>, options?: Options]
    : [params: JsonRpcParamsOf<F>, options?: Options];
