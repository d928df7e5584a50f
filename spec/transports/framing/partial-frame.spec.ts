import { expect } from 'chai';
import fc from 'fast-check';
import { PartialFrame } from '../../../lib/transports/framing/partial-frame.js';
import { bytes, join, text } from '../../helpers/chunks.js';

describe('PartialFrame', () => {
  it('gives back the last piece itself when nothing is held, and the first when nothing follows', () => {
    const partial = new PartialFrame();
    const last = bytes('[1]');
    expect(partial.take(last)).to.equal(last);
    const first = bytes('[2');
    partial.append(first, 100);
    expect(partial.length).to.equal(2);
    expect(partial.take(new Uint8Array(0))).to.equal(first);
    expect(partial.length).to.equal(0);
  });

  it('joins a frame cut in two into one array of its length', () => {
    const partial = new PartialFrame();
    partial.append(bytes('{"a":'), 8);
    const frame = partial.take(bytes('1}'));
    expect(text(frame)).to.equal('{"a":1}');
    expect(frame.buffer.byteLength).to.equal(7);
  });

  it('fills a buffer of exactly the frame when its length is known, whatever the pieces', () => {
    const partial = new PartialFrame();
    const body = 'x'.repeat(5000);
    for (let i = 0; i < 4998; i += 3) partial.append(bytes(body.slice(i, i + 3)), 5000);
    const frame = partial.take(bytes(body.slice(4998)));
    expect(text(frame)).to.equal(body);
    expect(frame.buffer.byteLength).to.equal(5000);
  });

  it('leaves a frame taken untouched by the pieces that follow, and lets go when cleared', () => {
    const partial = new PartialFrame();
    partial.append(bytes('ab'), 1000);
    partial.append(bytes('cd'), 1000);
    const frame = partial.take(bytes('e'));
    partial.append(bytes('XY'), 1000);
    partial.append(bytes('Z'), 1000);
    expect(text(frame)).to.equal('abcde');
    partial.clear();
    expect(partial.length).to.equal(0);
    expect(text(partial.take(bytes('f')))).to.equal('f');
  });

  it('property: gives back the pieces joined, in a buffer at most twice their size', () => {
    const pieces = fc.array(fc.uint8Array({ maxLength: 300 }), { maxLength: 40 });
    fc.assert(
      fc.property(pieces, fc.uint8Array({ maxLength: 300 }), fc.boolean(), (held, last, known) => {
        const whole = join(...held, last);
        const partial = new PartialFrame();
        for (const piece of held) partial.append(piece, known ? whole.length : Infinity);
        const frame = partial.take(last);
        expect(Array.from(frame)).to.deep.equal(Array.from(whole));
        expect(frame.buffer.byteLength).to.be.at.most(Math.max(2 * whole.length, 256));
        expect(partial.length).to.equal(0);
      }),
      { numRuns: 500 },
    );
  });
});
