/**
 * The `ws` package's WebSocket as `globalThis.WebSocket` (Node 20 has none by default), for
 * specs of code written for the browser's WebSocket. Restored after the suite.
 */
import WebSocket from 'ws';

export function useWsAsGlobalWebSocket(): void {
  let previous: unknown;
  before(() => {
    previous = (globalThis as { WebSocket?: unknown }).WebSocket;
    (globalThis as { WebSocket?: unknown }).WebSocket = WebSocket;
  });
  after(() => {
    (globalThis as { WebSocket?: unknown }).WebSocket = previous;
  });
}
