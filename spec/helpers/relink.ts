/**
 * A client over a ReconnectingTransport whose links are memory pairs: each link opened gets
 * a fresh server connection (a "restarted server"); the test drops links and refuses new ones.
 */
import {
  createMemoryTransportPair,
  JsonRpcConnection,
  JsonRpcConnectionType,
  ReconnectingTransport,
  type JsonRpcConnectionOptions,
  type LinkEnd,
  type ReconnectingTransportOptions,
} from '../../lib/index.js';
import { delay } from './ws-wire.js';

export function relinkedPair(
  serve: (server: JsonRpcConnection) => void,
  options: {
    transport?: ReconnectingTransportOptions;
    client?: JsonRpcConnectionOptions;
  } = {},
) {
  const servers: JsonRpcConnection[] = [];
  const opens: number[] = [];
  const state = { refusal: undefined as Error | undefined, isFinal: (_end: LinkEnd) => false };
  const transport = new ReconnectingTransport(
    async () => {
      opens.push(Date.now());
      if (state.refusal !== undefined) throw state.refusal;
      const [a, b] = createMemoryTransportPair();
      const server = new JsonRpcConnection(b, JsonRpcConnectionType.SERVER);
      serve(server);
      servers.push(server);
      return a;
    },
    { delayMs: 1, maxDelayMs: 4, isFinal: (end) => state.isFinal(end), ...options.transport },
  );
  const client = new JsonRpcConnection(transport, JsonRpcConnectionType.CLIENT, options.client);
  return {
    client,
    transport,
    servers,
    opens,
    state,
    /** The server of the current link. */
    server: (): JsonRpcConnection => servers.at(-1)!,
    /** Drops the current link, as a server going away would. */
    drop: (): Promise<void> => servers.at(-1)!.close(),
  };
}

/** Waits until `check()` holds, polling; fails after `ms`. */
export async function until(check: () => boolean, what: string, ms = 3000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await delay(2);
  }
}
