/**
 * JSON-RPC with a child process over its stdin and stdout: an LSP or MCP server spawned by
 * its client.
 * @module
 */
import type { ChildProcess } from 'node:child_process';
import type { JsonRpcConnection } from '../../connection/connection.js';
import { JsonRpcConnectionType } from '../../connection/options.js';
import { connectStreams, splitStreamOptions, type StreamConnectionOptions } from './connection.js';

/**
 * A client-role connection to a child process, writing to its stdin and reading its stdout
 * (spawn it with `stdio: ['pipe', 'pipe', …]`; its stderr stays free for logs).
 *
 * Closing the connection ends the child's stdin, which a well-behaved server takes as its
 * cue to exit; it does not kill the child. The child exiting (its stdout ending) closes the
 * connection; a failure to spawn it (ENOENT) closes it with that error.
 *
 * @throws TypeError at once when the child has no piped stdin or stdout, or for an invalid
 *   option
 * @example
 * const child = spawn('my-language-server', ['--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
 * const server = connectChildProcess(child, { framing: 'content-length' });
 * const capabilities = await server.request('initialize', { processId: process.pid });
 */
export function connectChildProcess(
  child: ChildProcess,
  options: StreamConnectionOptions,
): JsonRpcConnection {
  if (typeof child?.on !== 'function') {
    throw new TypeError(`Expected a ChildProcess, got ${child === null ? 'null' : typeof child}`);
  }
  const { stdin, stdout } = child;
  if (!stdin || !stdout) {
    throw new TypeError("The child process must be spawned with stdin and stdout as 'pipe'");
  }
  const split = splitStreamOptions(options);
  const { transport, connection } = connectStreams(
    stdout,
    stdin,
    split,
    JsonRpcConnectionType.CLIENT,
  );
  // A spawn failure is reported on the child, not on its pipes.
  const onError = (error: Error): void => transport.error(error);
  child.on('error', onError).once('close', () => child.off('error', onError));
  return connection;
}
