import { backoffDelayMs } from '../../src/migrate/settings';

describe('retry backoff', () => {
  it('doubles per retry, keeps half fixed and half random, and stops at the cap', () => {
    const low = () => 0;
    const high = () => 0.999999;
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, 1000, 30_000, low))).toEqual([500, 1000, 2000, 4000]);
    expect([1, 2, 3, 4].map((n) => backoffDelayMs(n, 1000, 30_000, high))).toEqual([1000, 2000, 4000, 8000]);
    expect(backoffDelayMs(10, 1000, 30_000, low)).toBe(15_000);
    expect(backoffDelayMs(10, 1000, 30_000, high)).toBe(30_000);
  });

  it('spreads two runners that retry at the same moment', () => {
    const delays = new Set(Array.from({ length: 20 }, () => backoffDelayMs(3, 1000, 30_000)));
    expect(delays.size).toBeGreaterThan(1);
    for (const d of delays) expect(d).toBeGreaterThanOrEqual(2000);
  });
});
