import { expect } from 'chai';
import fc from 'fast-check';
import { Fifo } from '../../lib/util/fifo.js';

describe('Fifo', () => {
  it('behaves as an array used with push and shift, whatever the sequence', () => {
    fc.assert(
      fc.property(
        fc.array(fc.oneof(fc.integer(), fc.constant(undefined)), { maxLength: 5000 }),
        (ops) => {
          const fifo = new Fifo<number>();
          const model: number[] = [];
          let n = 0;
          for (const op of ops) {
            if (op === undefined || op % 3 === 0) {
              expect(fifo.shift()).to.equal(model.shift());
            } else {
              fifo.push(n);
              model.push(n++);
            }
            expect(fifo.length).to.equal(model.length);
          }
        },
      ),
      { numRuns: 50 },
    );
  });

  it('keeps order across compactions: rounds of 3,000 in, 2,500 out', () => {
    const fifo = new Fifo<number>();
    const model: number[] = [];
    let n = 0;
    for (let round = 0; round < 10; round++) {
      for (let i = 0; i < 3_000; i++) {
        fifo.push(n);
        model.push(n++);
      }
      for (let i = 0; i < 2_500; i++) expect(fifo.shift()).to.equal(model.shift());
    }
    expect(fifo.length).to.equal(5_000);
    while (model.length > 0) expect(fifo.shift()).to.equal(model.shift());
    expect(fifo.shift()).to.equal(undefined);
  });
});
