/**
 * A server's greeting the moment a connection opens: a notification and 50 requests, for
 * specs proving that nothing a server sends at connect time is lost.
 */
import type { JsonRpcConnection } from '../../lib/index.js';

/** How the 50 requests ended. */
export interface Greeted {
  answered: number;
  failed: number;
}

/** Sends `welcome` and 50 `double` requests at once, counting the right answers. */
export function greet(connection: JsonRpcConnection, greeted: Greeted, timeoutMs = 1000): void {
  void connection.notify('welcome');
  for (let i = 0; i < 50; i++) {
    connection.request('double', [i], { timeout: timeoutMs }).then(
      (result) => (result === 2 * i ? greeted.answered++ : greeted.failed++),
      () => greeted.failed++,
    );
  }
}
