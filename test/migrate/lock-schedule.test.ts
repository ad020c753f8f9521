import { attemptLockTimeoutMs, conflictingModes, lockTableMode, strongLockTargets } from '../../src/migrate/lock-targets';
import { resolveMigrateSettings } from '../../src/migrate/settings';
import { prepareMigrations } from '../../src/migrate/statements';
import type { LoadedConfig } from '../../src/config/load';
import type { MigrationFile } from '../../src/migrate/files';

/** Issue #11 without a server: the lock_timeout schedule, which locks a file asks for and in what order, the settings. */

const loaded = (migrations: NonNullable<LoadedConfig['config']['migrations']> = {}): LoadedConfig => ({
  config: { migrations },
  path: '/repo/dbops.config.json',
  baseDir: '/repo',
  pgVersion: 15,
  maxLockTimeoutMs: 5000,
});

async function statementsOf(sql: string) {
  const file: MigrationFile = { version: '0002', name: 'x', path: '/repo/migrations/0002_x.sql', displayPath: 'migrations/0002_x.sql', text: sql, sql, checksum: '' };
  const [m] = await prepareMigrations([file], { pgVersion: 15, maxLockTimeoutMs: 5000 });
  return m.statements;
}

describe('lock_timeout per attempt', () => {
  it('starts short, doubles with half of it random, and stops at the cap', () => {
    const low = () => 0;
    const high = () => 0.999999;
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => attemptLockTimeoutMs(n, 100, 5000, low))).toEqual([50, 100, 200, 400, 800, 1600, 5000]);
    expect([1, 2, 3, 4, 5, 6, 7].map((n) => attemptLockTimeoutMs(n, 100, 5000, high))).toEqual([100, 200, 400, 800, 1600, 3200, 5000]);
    // At the cap there is no jitter: the policy maximum is what a late attempt waits.
    expect(attemptLockTimeoutMs(8, 100, 5000, low)).toBe(5000);
    expect(attemptLockTimeoutMs(1, 5000, 5000, low)).toBe(5000);
  });

  it('never asks for 0 ms (PostgreSQL reads lock_timeout 0 as "wait forever")', () => {
    expect(attemptLockTimeoutMs(1, 1, 5000, () => 0)).toBe(1);
  });
});

describe('the locks a file waits for', () => {
  it('strong modes on existing tables, strongest per table, in the order the statements first need them', async () => {
    const targets = strongLockTargets(
      await statementsOf(
        'CREATE TABLE fresh (id int);\nALTER TABLE fresh ADD COLUMN a int;\nCREATE INDEX CONCURRENTLY ON other (b);\nALTER TABLE orders ADD COLUMN note text;\n' +
          'CREATE INDEX ON accounts (email);\nALTER TABLE accounts ADD COLUMN c int;\nSELECT * FROM orders;\n',
      ),
    );
    // fresh: new in this run, nobody else uses it; other: CONCURRENTLY takes a weak lock (ShareUpdateExclusive).
    expect(targets.map((t) => [t.relation.name, t.mode, t.statement.line])).toEqual([
      ['orders', 'AccessExclusiveLock', 4],
      ['accounts', 'AccessExclusiveLock', 5],
    ]);
    expect(targets.map((t) => lockTableMode(t.mode))).toEqual(['ACCESS EXCLUSIVE', 'ACCESS EXCLUSIVE']);
  });

  it('a holder of any mode blocks ACCESS EXCLUSIVE; only writers block SHARE', () => {
    expect(conflictingModes('AccessExclusiveLock')).toHaveLength(8);
    expect(conflictingModes('ShareLock')).toEqual(['RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock']);
  });
});

describe('settings: flags, then migrations.* in the config, then defaults', () => {
  it('defaults: 100ms first attempt, 5s cap, 2min budget, watching holders', () => {
    const s = resolveMigrateSettings(loaded(), {});
    expect([s.lockTimeoutStartMs, s.lockTimeoutMs, s.lockWaitBudgetMs, s.watchHolders]).toEqual([100, 5000, 120_000, true]);
  });

  it('migrations.lockTimeoutStart and lockWaitBudget from the config; flags win', () => {
    const fromConfig = resolveMigrateSettings(loaded({ lockTimeoutStart: '250ms', lockWaitBudget: '10min' }), {});
    expect([fromConfig.lockTimeoutStartMs, fromConfig.lockWaitBudgetMs]).toEqual([250, 600_000]);
    const fromFlags = resolveMigrateSettings(loaded({ lockTimeoutStart: '250ms', lockWaitBudget: '10min' }), { 'lock-timeout-start': '50ms', 'lock-wait-budget': '30s', 'watch-holders': false });
    expect([fromFlags.lockTimeoutStartMs, fromFlags.lockWaitBudgetMs, fromFlags.watchHolders]).toEqual([50, 30_000, false]);
  });

  it('the first attempt never exceeds the cap', () => {
    expect(resolveMigrateSettings(loaded({ lockTimeoutStart: '10s' }), { 'lock-timeout': '2s' }).lockTimeoutStartMs).toBe(2000);
  });

  it('a bad value names where it came from', () => {
    expect(() => resolveMigrateSettings(loaded({ lockWaitBudget: 'soon' }), {})).toThrow(/dbops\.config\.json: migrations\.lockWaitBudget/);
    expect(() => resolveMigrateSettings(loaded(), { 'lock-timeout-start': '0ms' })).toThrow(/--lock-timeout-start must be at least 1ms/);
  });
});
