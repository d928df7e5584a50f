/**
 * A raw `ws` client as a test wire: send JSON text, read the parsed frames back.
 */
import WebSocket from 'ws';
import type { Wire } from './spec-examples.js';

export class WsWire implements Wire {
  private readonly received: unknown[] = [];
  /** Whether each received frame was binary. */
  readonly binary: boolean[] = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      this.received.push(JSON.parse(text(data)));
      this.binary.push(isBinary);
    });
  }

  static open(url: string, options?: WebSocket.ClientOptions): Promise<WsWire> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      socket.once('open', () => resolve(new WsWire(socket)));
      socket.once('error', reject);
    });
  }

  send(text: string): void {
    this.socket.send(text);
  }

  async read(count = 1): Promise<unknown[]> {
    const deadline = Date.now() + 2000;
    while (this.received.length < count) {
      if (Date.now() > deadline) {
        throw new Error(`Expected ${count} frame(s), got ${this.received.length}`);
      }
      await delay(5);
    }
    return this.received.splice(0, count);
  }

  async drain(): Promise<unknown[]> {
    await delay(30);
    return this.received.splice(0);
  }

  /** Closes and waits until the socket is closed. */
  close(): Promise<void> {
    return closed(this.socket);
  }
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Closes a socket (if open) and resolves once it is closed. */
export function closed(socket: WebSocket, code = 1000): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    socket.once('close', () => resolve());
    if (socket.readyState === WebSocket.OPEN) socket.close(code);
    else if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
  });
}

/** Resolves with the code of the socket's close. */
export function closeCode(socket: WebSocket): Promise<number> {
  return new Promise((resolve) => socket.once('close', (code) => resolve(code)));
}

/** The text of a received `ws` message. */
export function text(data: WebSocket.RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString();
  return data instanceof ArrayBuffer ? Buffer.from(data).toString() : data.toString();
}
