/**
 * Every example of the JSON-RPC 2.0 specification, frame for frame, over the memory pair.
 * (spec/endpoints/websocket/spec-examples.spec.ts runs the same over a real WebSocket.)
 */
import { RawPeer } from './helpers/pair.js';
import { specExamples } from './helpers/spec-examples.js';

describe('the examples of the JSON-RPC 2.0 specification, in memory', () => {
  specExamples(async (serve) => {
    const peer = new RawPeer();
    serve(peer.connection);
    return peer;
  });
});
