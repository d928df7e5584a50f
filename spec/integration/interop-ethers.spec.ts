/**
 * Interop with the Ethereum pub/sub convention: an ethers WebSocketProvider (pinned
 * devDependency) subscribes to `newHeads` on our server, receives blocks, unsubscribes.
 * Integration: the library end to end, across its layers, so it mirrors no single lib/ file.
 */
import { expect } from 'chai';
import { WebSocketProvider } from 'ethers';
import { Subject } from 'rxjs';
import {
  InvalidParamsError,
  serveWebSocket,
  stream,
  type WebSocketServerHandle,
} from '../../lib/node.js';
import { until } from '../helpers/relink.js';

describe('ethers WebSocketProvider against stream()', () => {
  const heads = new Subject<{ number: string; hash: string }>();
  const called: string[] = [];
  let server: WebSocketServerHandle;
  let provider: WebSocketProvider | undefined;

  const served = (): number =>
    [...server.connections].reduce((sum, c) => sum + c.subscriptionCount, 0);

  before(async () => {
    server = await serveWebSocket((connection) => {
      connection.requests$.subscribe((call) => called.push(call.method));
      connection.serve({
        eth_chainId: () => '0x539',
        eth: stream(
          (params) => {
            const [kind] = params as [string];
            if (kind !== 'newHeads') throw new InvalidParamsError(`Unsupported: ${kind}`);
            return heads;
          },
          { terminal: false },
        ),
      });
    });
  });

  after(async () => {
    await provider?.destroy();
    await server.close();
  });

  it('receives newHeads as block events and unsubscribes', async () => {
    provider = new WebSocketProvider(server.url);
    const blocks: number[] = [];
    await provider.on('block', (block: number) => blocks.push(block));
    await until(() => served() === 1, 'the eth_subscribe');
    heads.next({ number: '0x10', hash: '0xaa' });
    heads.next({ number: '0x11', hash: '0xbb' });
    await until(() => blocks.length === 2, 'two blocks');
    expect(blocks).to.deep.equal([16, 17]);
    await provider.off('block');
    await until(() => served() === 0, 'the eth_unsubscribe');
    // ethers does not await its eth_unsubscribe: let its answer (ordered before this one)
    // arrive before destroy(), which would reject it unhandled.
    expect(await provider.send('eth_chainId', [])).to.equal('0x539');
    expect([...called].sort()).to.deep.equal([
      'eth_chainId',
      'eth_chainId',
      'eth_subscribe',
      'eth_unsubscribe',
    ]);
    await provider.destroy();
    provider = undefined;
    await until(() => server.connections.size === 0, 'the provider to disconnect');
  });
});
