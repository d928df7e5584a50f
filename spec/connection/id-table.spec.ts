import { expect } from 'chai';
import { IdTable } from '../../lib/connection/id-table.js';

interface Entry {
  readonly key: number;
}

const table = (): IdTable<Entry> => new IdTable<Entry>((entry) => entry.key);

describe('IdTable', () => {
  it('finds and deletes entries by key, once, whatever the integer', () => {
    const keys = [
      0,
      1,
      15,
      16,
      17,
      -1,
      -16,
      2 ** 31,
      2 ** 32 + 1,
      2 ** 40,
      2 ** 40 + 16,
      2 ** 53 - 1,
    ];
    const entries = keys.map((key) => ({ key }));
    const ids = table();
    for (const entry of entries) ids.add(entry);
    expect(ids.size).to.equal(keys.length);
    expect(keys.map((key) => ids.get(key))).to.deep.equal(entries);
    expect(ids.values()).to.have.members(entries);
    expect(ids.get(2)).to.equal(undefined);
    expect(ids.delete(2)).to.equal(undefined);
    expect(keys.map((key) => ids.delete(key))).to.deep.equal(entries);
    expect(keys.map((key) => ids.delete(key))).to.deep.equal(keys.map(() => undefined));
    expect([ids.size, ids.values()]).to.deep.equal([0, []]);
  });

  it('keeps keys that share their low bits apart, in the table or beside it', () => {
    const ids = table();
    const entries = [3, 3 + 16, 3 + 32, 3 + 1024].map((key) => ({ key }));
    for (const entry of entries) ids.add(entry);
    expect(entries.map((entry) => ids.get(entry.key))).to.deep.equal(entries);
    expect(ids.delete(3 + 16)).to.equal(entries[1]);
    expect([ids.get(3), ids.get(3 + 32), ids.get(3 + 1024)]).to.deep.equal([
      entries[0],
      entries[2],
      entries[3],
    ]);
    expect(ids.size).to.equal(3);
  });

  it('stays small under a steady churn, whatever stays behind, and grows with a burst', () => {
    const ids = table();
    const old = { key: 0 };
    ids.add(old);
    for (let key = 1; key <= 100_000; key++) {
      ids.add({ key });
      if (key > 8) ids.delete(key - 8);
    }
    expect(ids.capacity).to.be.at.most(64);
    expect(ids.get(0)).to.equal(old);
    for (let key = 200_000; key < 210_000; key++) ids.add({ key });
    expect(ids.capacity).to.be.at.least(10_000);
    expect(ids.size).to.equal(1 + 8 + 10_000);
  });
});
