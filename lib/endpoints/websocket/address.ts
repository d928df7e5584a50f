/**
 * Where a WebSocket server is reached: the port and `ws://` URL of the HTTP server under it.
 * @module
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** The TCP address `server` listens on now; undefined while it does not (or on a pipe). */
export function tcpAddressOf(server: Server): AddressInfo | undefined {
  const address = server.address();
  return typeof address === 'object' && address !== null ? address : undefined;
}

/** `ws://host:port/path` for a TCP address (an IPv6 host in brackets). */
export function webSocketUrl(address: AddressInfo, path: string): string {
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return `ws://${host}:${address.port}${path}`;
}
