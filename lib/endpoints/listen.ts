/**
 * Where an HTTP server is reached, and starting one: shared by the WebSocket and HTTP servers.
 * @module
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The TCP address `server` listens on now; undefined while it does not (or on a pipe). */
export function tcpAddressOf(server: Server): AddressInfo | undefined {
  const address = server.address();
  return typeof address === 'object' && address !== null ? address : undefined;
}

/** `scheme://host:port/path` for a TCP address (an IPv6 host in brackets). */
export function urlOf(scheme: 'ws' | 'http', address: AddressInfo, path: string): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `${scheme}://${host}:${address.port}${path}`;
}

/** Listens on `host:port`; rejects with the server's error (a port in use, say). */
export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}
