/**
 * Every example of the JSON-RPC 2.0 specification, frame for frame, over the memory pair.
 * (spec/integration/spec-examples.websocket.spec.ts runs the same over a real WebSocket.)
 * Integration: the library end to end, across its layers, so it mirrors no single lib/ file.
 */
import { RawPeer } from '../helpers/pair.js';
import { specExamples } from '../helpers/spec-examples.js';

describe('the examples of the JSON-RPC 2.0 specification, in memory', () => {
  specExamples(async (serve) => {
    const peer = new RawPeer();
    serve(peer.connection);
    return peer;
  });
});
