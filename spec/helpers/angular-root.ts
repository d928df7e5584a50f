/**
 * An Angular application's root injector in plain Node, with no DOM and no compiler: zoneless
 * change detection (which runs effects and resources) and nothing that renders. What
 * `bootstrapApplication` builds, minus the renderer; `destroy()` ends it.
 */
import {
  createEnvironmentInjector,
  provideZonelessChangeDetection,
  ɵcreateInjector as createInjector,
  ɵINJECTOR_SCOPE as INJECTOR_SCOPE,
  type EnvironmentInjector,
  type EnvironmentProviders,
  type Provider,
} from '@angular/core';
import {
  createMemoryTransportPair,
  JsonRpcConnection,
  JsonRpcConnectionType,
  type Transport,
} from '../../lib/index.js';

/** A root injector (scope 'root': the app's own services resolve there) over `providers`. */
export function angularRoot(
  providers: (Provider | EnvironmentProviders)[] = [],
): EnvironmentInjector {
  const platform = createInjector(
    { providers: [] },
    null,
    [],
    'platform',
  ) as unknown as EnvironmentInjector;
  return createEnvironmentInjector(
    [provideZonelessChangeDetection(), { provide: INJECTOR_SCOPE, useValue: 'root' }, ...providers],
    platform,
  );
}

/**
 * A `transport` factory for `provideJsonRpc()`: each link a memory pair whose other end is a
 * fresh server connection (as a restarted server would be), served by `serve`.
 */
export function memoryLinks(serve: (server: JsonRpcConnection) => void): {
  transport: () => Transport;
  servers: JsonRpcConnection[];
} {
  const servers: JsonRpcConnection[] = [];
  return {
    servers,
    transport: () => {
      const [client, server] = createMemoryTransportPair();
      const connection = new JsonRpcConnection(server, JsonRpcConnectionType.SERVER);
      serve(connection);
      servers.push(connection);
      return client;
    },
  };
}
