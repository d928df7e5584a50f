import { expect } from 'chai';
import sinon from 'sinon';
import { PendingRequest, PendingRequests } from '../../lib/connection/pending.js';

/** A request whose settlement is recorded in `settled`. */
function request(id: number, settled: unknown[] = []): PendingRequest {
  const entry = new PendingRequest(
    (result) => settled.push(['resolved', id, result]),
    (error) => settled.push(['rejected', id, error.message]),
  );
  entry.id = id;
  return entry;
}

/** Adds the ids `from` to `to` (inclusive), taking each one `lag` adds after it was added. */
function churn(table: PendingRequests, from: number, to: number, lag: number): void {
  for (let id = from; id <= to; id++) {
    table.add(request(id));
    // A plain check: an expect() per id would make these loops slow.
    if (id - lag >= from && table.take(id - lag)?.id !== id - lag) {
      expect.fail(`request ${id - lag} was not found`);
    }
  }
  for (let id = Math.max(from, to - lag + 1); id <= to; id++) table.take(id);
}

describe('PendingRequests', () => {
  afterEach(() => sinon.restore());

  it('holds no table before the first request', () => {
    const table = new PendingRequests();
    expect([table.size, table.capacity, table.has(1), table.take(1)]).to.deep.equal([
      0,
      0,
      false,
      undefined,
    ]);
    expect(table.takeAll()).to.deep.equal([]);
  });

  it('finds, counts and takes requests by id, once', () => {
    const table = new PendingRequests();
    const settled: unknown[] = [];
    table.add(request(1, settled));
    table.add(request(2, settled));
    expect([table.size, table.has(1), table.has(2), table.has(3)]).to.deep.equal([
      2,
      true,
      true,
      false,
    ]);
    table.take(2)?.settle(undefined, 'two');
    expect([table.size, table.has(2), table.take(2)]).to.deep.equal([1, false, undefined]);
    expect(settled).to.deep.equal([['resolved', 2, 'two']]);
  });

  it('finds nothing for an id that is not one of ours: a string, a fraction, NaN, null', () => {
    const table = new PendingRequests();
    table.add(request(5));
    for (const id of ['5', 5.5, NaN, null, 5 + 2 ** 32, -5]) {
      expect(table.has(id), String(id)).to.equal(false);
      expect(table.take(id), String(id)).to.equal(undefined);
    }
    expect(table.size).to.equal(1);
  });

  it('keeps a long-pending request without growing: it moves aside, still found', () => {
    const table = new PendingRequests();
    table.add(request(1));
    churn(table, 2, 100_000, 8);
    expect(table.capacity).to.be.at.most(64);
    expect([table.size, table.has(1)]).to.deep.equal([1, true]);
    expect(table.take(1)?.id).to.equal(1);
    expect(table.size).to.equal(0);
  });

  it('keeps many long-pending requests with bounded memory, each one still found', () => {
    const table = new PendingRequests();
    const old = [1, 2, 3, 17, 33, 1000];
    let next = 1;
    for (; next <= 1000; next++) {
      if (old.includes(next)) table.add(request(next));
    }
    churn(table, next, next + 50_000, 4);
    expect(table.capacity).to.be.at.most(64);
    expect(table.size).to.equal(old.length);
    for (const id of old) expect(table.has(id), String(id)).to.equal(true);
    expect(table.takeAll().map((entry) => entry.id)).to.deep.equal(old);
  });

  it('grows with the requests in flight, every one found', () => {
    const table = new PendingRequests();
    for (let id = 1; id <= 10_000; id++) table.add(request(id));
    expect(table.size).to.equal(10_000);
    expect(table.capacity).to.be.within(10_000, 4 * 10_000);
    for (let id = 1; id <= 10_000; id++) expect(table.take(id)?.id).to.equal(id);
    expect(table.size).to.equal(0);
  });

  it('shrinks back once a burst is over, and not while the load stays', () => {
    const table = new PendingRequests();
    churn(table, 1, 50_000, 10_000);
    const burst = table.capacity;
    expect(burst).to.be.at.least(16_384);
    churn(table, 50_001, 100_000, 10_000);
    expect(table.capacity, 'a steady load').to.equal(burst);
    churn(table, 100_001, 300_000, 4);
    expect(table.capacity, 'after the burst').to.be.at.most(64);
  });

  it('takeAll() returns every request in the order added, overflowed ones included', () => {
    const table = new PendingRequests();
    const settled: unknown[] = [];
    for (let id = 1; id <= 40; id++) table.add(request(id, settled));
    for (let id = 2; id <= 40; id++) if (id % 3 !== 0) table.take(id);
    churn(table, 41, 200, 2);
    table.add(request(201, settled));
    const ids = table.takeAll().map((entry) => entry.id);
    expect(ids).to.deep.equal([1, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39, 201]);
    expect([table.size, table.capacity, table.has(1), table.has(201)]).to.deep.equal([
      0,
      0,
      false,
      false,
    ]);
  });

  it('clears the timer and abort listener of what it takes, one by one or all at once', () => {
    const clock = sinon.useFakeTimers();
    const table = new PendingRequests();
    const controller = new AbortController();
    const fired: number[] = [];
    for (const id of [1, 2]) {
      const entry = request(id);
      entry.timer = setTimeout(() => fired.push(id), 10);
      entry.signal = controller.signal;
      entry.onAbort = () => fired.push(-id);
      controller.signal.addEventListener('abort', entry.onAbort, { once: true });
      table.add(entry);
    }
    try {
      table.take(1);
      table.takeAll();
      clock.tick(20);
      controller.abort();
      expect(fired).to.deep.equal([]);
    } finally {
      clock.restore();
    }
  });
});
