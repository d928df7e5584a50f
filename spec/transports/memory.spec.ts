import { expect } from 'chai';
import { createMemoryTransportPair } from '../../lib/index.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (frame: Uint8Array | string): string =>
  typeof frame === 'string' ? frame : new TextDecoder().decode(frame);

describe('createMemoryTransportPair()', () => {
  it('delivers frames in order, asynchronously, never inside next()', async () => {
    const [a, b] = createMemoryTransportPair();
    const received: string[] = [];
    b.subscribe({ next: (frame) => received.push(text(frame)) });
    a.next(bytes('1'));
    a.next(bytes('2'));
    expect(received).to.deep.equal([]);
    await Promise.resolve();
    a.next(bytes('3'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(received).to.deep.equal(['1', '2', '3']);
    a.complete();
  });

  it('keeps frames sent before the other end subscribes', async () => {
    const [a, b] = createMemoryTransportPair();
    a.next(bytes('early'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    const received: string[] = [];
    b.subscribe({ next: (frame) => received.push(text(frame)) });
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(received).to.deep.equal(['early']);
    a.complete();
  });

  it('closing one end completes both, after the frames already sent', async () => {
    const [a, b] = createMemoryTransportPair();
    const events: string[] = [];
    a.subscribe({ complete: () => events.push('a complete') });
    b.subscribe({
      next: (frame) => events.push(`b got ${text(frame)}`),
      complete: () => events.push('b complete'),
    });
    a.next(bytes('last'));
    a.complete();
    a.next(bytes('ignored'));
    b.next(bytes('ignored too'));
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(events).to.deep.equal(['b got last', 'b complete', 'a complete']);
  });

  it('delivers text frames as sent, built by concatenation or empty', async () => {
    const [a, b] = createMemoryTransportPair();
    const received: (Uint8Array | string)[] = [];
    b.subscribe({ next: (frame) => received.push(frame) });
    const pieces = Array.from({ length: 50 }, (_, i) => `{"n":${i}}`);
    const joined = pieces.reduce((text, piece) => `${text},${piece}`);
    a.next(joined);
    a.next('');
    a.next('\u00e9');
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(received).to.deep.equal([joined, '', '\u00e9']);
    a.complete();
  });

  it('accepts one subscriber at a time', async () => {
    const [a, b] = createMemoryTransportPair();
    b.subscribe({});
    const errors: unknown[] = [];
    b.subscribe({ error: (error: unknown) => errors.push(error) });
    expect((errors[0] as Error).message).to.equal(
      'A memory transport accepts one subscriber at a time',
    );
    a.complete();
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
});
