import { expect } from 'chai';
import { DEFAULT_RECONNECT, FINAL_CLOSE_CODES } from '../../lib/index.js';
import { backoffDelay, resolveReconnect } from '../../lib/reconnect/policy.js';

describe('reconnect policy', () => {
  it('true takes the documented defaults; false or nothing turns reconnecting off', () => {
    expect(DEFAULT_RECONNECT).to.deep.equal({ attempts: 10, delayMs: 500, maxDelayMs: 30_000 });
    expect(resolveReconnect(true)).to.deep.equal(DEFAULT_RECONNECT);
    expect(resolveReconnect({ attempts: Infinity })).to.deep.equal({
      ...DEFAULT_RECONNECT,
      attempts: Infinity,
    });
    expect([resolveReconnect(false), resolveReconnect(undefined)]).to.deep.equal([
      undefined,
      undefined,
    ]);
    expect([...FINAL_CLOSE_CODES]).to.deep.equal([1002, 1003, 1008, 1009]);
  });

  it('waits between half and all of an exponential ceiling, capped at maxDelayMs', () => {
    const policy = { attempts: 10, delayMs: 100, maxDelayMs: 1000 };
    const low = [1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 0));
    const high = [1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 1));
    expect(low).to.deep.equal([50, 100, 200, 400, 500]);
    expect(high).to.deep.equal([100, 200, 400, 800, 1000]);
    expect(backoffDelay(1_000, policy, () => 1)).to.equal(1000);
  });

  it('validates loudly', () => {
    expect(() => resolveReconnect('yes' as never)).to.throw(
      TypeError,
      'The "reconnect" option must be a boolean or an object, got yes',
    );
    expect(() => resolveReconnect({ attempts: 0 })).to.throw(
      RangeError,
      'The "reconnect.attempts" option must be a positive integer, got 0',
    );
    expect(() => resolveReconnect({ delayMs: -1 })).to.throw(
      RangeError,
      'The "reconnect.delayMs" option must be between 0 and 2147483647 milliseconds, got -1',
    );
    expect(() => resolveReconnect({ delayMs: 100, maxDelayMs: 10 })).to.throw(
      RangeError,
      'The "reconnect.maxDelayMs" option must be at least "reconnect.delayMs" (100), got 10',
    );
  });
});
