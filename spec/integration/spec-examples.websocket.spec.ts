/**
 * Every example of the JSON-RPC 2.0 specification, frame for frame, over a real WebSocket on
 * 127.0.0.1: a raw `ws` client speaks to serveWebSocket.
 * Integration: the library end to end, across its layers, so it mirrors no single lib/ file.
 */
import { expect } from 'chai';
import { serveWebSocket, type WebSocketServerHandle } from '../../lib/node.js';
import { specExamples } from '../helpers/spec-examples.js';
import { WsWire } from '../helpers/ws-wire.js';

describe('the examples of the JSON-RPC 2.0 specification, over WebSocket', () => {
  let server: WebSocketServerHandle | undefined;
  let wire: WsWire | undefined;

  afterEach(async () => {
    if (wire)
      expect(
        wire.binary.every((binary) => !binary),
        'answers are text frames',
      ).to.equal(true);
    await wire?.close();
    await server?.close();
  });

  specExamples(async (serve) => {
    server = await serveWebSocket((connection) => serve(connection));
    wire = await WsWire.open(server.url);
    return wire;
  });
});
