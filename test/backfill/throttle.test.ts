import { UsageError } from '../../src/core/errors';
import { lagPauseReason, parseLagLimit } from '../../src/backfill/lag-limit';
import { resolveSettings, settingsFromConfig } from '../../src/backfill/settings';
import { BatchSizer, backoffMs, pauseAfterBatch, retryReason } from '../../src/backfill/throttle';

describe('BatchSizer', () => {
  it('moves toward the target batch time: growing at most 1.5× per batch, shrinking at once (at most halving)', () => {
    const s = new BatchSizer({ start: 1000, targetMs: 100, min: 1, max: 50_000 });
    s.record(1000, 10); // 0.01 ms/row → ideal 10,000, capped at 1.5×
    expect(s.current).toBe(1500);
    s.record(1500, 15);
    expect(s.current).toBe(2250);
    s.record(2250, 75); // 0.0333 ms/row, believed at once → ideal 3,000
    expect(s.current).toBe(3000);
    s.record(3000, 600); // 0.2 ms/row → ideal 500, at most halving
    expect(s.current).toBe(1500);
  });

  it('keeps a fixed size with no target, ignores a short last batch, respects the bounds and halves on timeout', () => {
    const fixed = new BatchSizer({ start: 500, targetMs: null, min: 1, max: 50_000 });
    fixed.record(500, 1);
    expect(fixed.current).toBe(500);
    const s = new BatchSizer({ start: 800, targetMs: 100, min: 1, max: 1000 });
    s.record(12, 0.1);
    expect(s.current).toBe(800);
    s.record(800, 1);
    expect(s.current).toBe(1000);
    s.record(1000, 1);
    expect(s.current).toBe(1000);
    s.halve();
    expect(s.current).toBe(500);
  });
});

describe('pauses, retries and limits', () => {
  it('waits for the rate limit or the sleep, whichever is longer', () => {
    expect(pauseAfterBatch(1000, 100, 2000, 0)).toEqual({ ms: 400, reason: 'rate limit 2000 rows/s' });
    expect(pauseAfterBatch(1000, 100, 2000, 1000)).toEqual({ ms: 1000, reason: 'sleep 1000 ms between batches' });
    expect(pauseAfterBatch(1000, 600, 2000, 0)).toEqual({ ms: 0, reason: null });
  });

  it('retries lock timeouts, deadlocks, serialization failures and statement timeouts only', () => {
    expect(retryReason({ code: '55P03', message: 'canceling statement due to lock timeout' })).toBe('lock timeout');
    expect(retryReason({ code: '40P01', message: 'deadlock detected' })).toBe('deadlock');
    expect(retryReason({ code: '40001', message: 'could not serialize access' })).toBe('serialization failure');
    expect(retryReason({ code: '57014', message: 'canceling statement due to statement timeout' })).toBe('statement timeout');
    expect(retryReason({ code: '57014', message: 'canceling statement due to user request' })).toBeUndefined();
    expect(retryReason({ code: '22012', message: 'division by zero' })).toBeUndefined();
    expect([1, 2, 3, 10].map((a) => backoffMs(a, () => 1))).toEqual([100, 200, 400, 5000]);
  });

  it('parses --max-replica-lag as seconds and/or bytes and names the replica over the limit', () => {
    expect(parseLagLimit('1s')).toEqual({ seconds: 1, bytes: null });
    expect(parseLagLimit('2s,64MB')).toEqual({ seconds: 2, bytes: 64 * 1024 * 1024 });
    expect(parseLagLimit('500kB')).toEqual({ seconds: null, bytes: 512_000 });
    expect(() => parseLagLimit('fast')).toThrow(UsageError);
    const limit = parseLagLimit('1s,1MB');
    expect(lagPauseReason([{ replica: 'standby1', seconds: 4.2, bytes: 10 }], limit)).toBe('replica standby1 4.2 s behind');
    expect(lagPauseReason([{ replica: 'b', seconds: 0.1, bytes: 3 * 1024 * 1024 }], limit)).toBe('replica b 3.0 MB behind');
    expect(lagPauseReason([{ replica: 'c', seconds: null, bytes: null, error: 'disconnected' }], limit)).toBe('replica c unreachable (disconnected)');
    expect(lagPauseReason([{ replica: 'a', seconds: 0.5, bytes: 100 }], limit)).toBeNull();
    // The next batch (0.6 s) would take a replica 0.5 s behind past 1 s; one caught up is never held back.
    expect(lagPauseReason([{ replica: 'a', seconds: 0.5, bytes: 100 }], limit, 0.6)).toBe('replica a 0.5 s behind');
    expect(lagPauseReason([{ replica: 'a', seconds: 0, bytes: 0 }], limit, 2)).toBeNull();
  });

  it('resolves settings: flags over config over defaults, lock timeout within policy', () => {
    const s = resolveSettings({ batchSize: 200 }, settingsFromConfig({ batchSize: 5000, sleep: '50ms', maxReplicaLag: '2s' }), 5000);
    expect(s).toMatchObject({ sizing: { start: 200, targetMs: 100, max: 50_000 }, sleepMs: 50, lagLimit: { seconds: 2, bytes: null }, lockTimeoutMs: 1000, statementTimeoutMs: 30_000, retries: 10 });
    expect(() => resolveSettings({ lockTimeout: '10s' }, {}, 5000)).toThrow(/--lock-timeout 10s is outside policy.maxLockTimeout \(5s\)/);
    expect(() => settingsFromConfig({ batchsize: 1 })).toThrow(/unknown key backfill.batchsize/);
    expect(() => resolveSettings({ batchSize: 0 }, {}, 5000)).toThrow(/--batch-size must be a whole number ≥ 1/);
    expect(resolveSettings({ targetBatchTime: 'off' }, {}, 5000).sizing.targetMs).toBeNull();
    expect(resolveSettings({}, {}, 5000).notices).toEqual([]);
  });

  it('says so when it lowers a batch size, and never lets a batch exceed one second of --max-rate', () => {
    const huge = resolveSettings({ batchSize: 10_000_000 }, {}, 5000);
    expect(huge.sizing).toMatchObject({ start: 50_000, max: 50_000 });
    expect(huge.notices).toEqual(['--batch-size 10000000 is above --max-batch-size 50000: batches hold at most 50000 keys']);
    const slow = resolveSettings({ maxRate: 1 }, {}, 5000);
    expect(slow.sizing).toMatchObject({ start: 1, max: 1 });
    expect(slow.notices).toEqual(["--batch-size 1000 is above one second's worth of --max-rate 1: batches hold at most 1 key"]);
    expect(resolveSettings({ maxRate: 5000, batchSize: 200 }, {}, 5000)).toMatchObject({ sizing: { start: 200, max: 5000 }, notices: [] });
    expect(resolveSettings({}, settingsFromConfig({ maxRate: 0.5 }), 5000).sizing.max).toBe(1);
  });
});
