import { analyzeStatement } from '../../src/effects/analyze';
import { AnalysisContext } from '../../src/effects/context';
import { stringLiteral } from '../../src/effects/plpgsql';
import { timeoutMs } from '../../src/effects/settings';
import type { StatementEffects } from '../../src/effects/types';
import { volatilityOf } from '../../src/effects/volatility';
import { loadParser, parseSqlFile } from '../../src/sql/parser';

beforeAll(async () => {
  await loadParser();
});

/** Analyses statements in order with one context; returns the effects of each. */
function run(sql: string, pgVersion = 15, ctx = new AnalysisContext(pgVersion)): StatementEffects[] {
  ctx.startFile();
  return parseSqlFile(sql).statements.map((st) => analyzeStatement({ node: st.node, text: st.text }, ctx));
}

const lockOn = (e: StatementEffects, key: string) => e.relations.find((r) => r.relation.key === key)?.lock;

describe('version-aware effects', () => {
  it('ADD COLUMN with a constant default rewrites before PostgreSQL 11 only', () => {
    const sql = "ALTER TABLE t ADD COLUMN c text DEFAULT 'x'";
    expect(run(sql, 10)[0].relations[0].rewrite).toBe('yes');
    expect(run(sql, 11)[0].relations[0].rewrite).toBe('no');
  });

  it('ATTACH PARTITION and ALTER INDEX RENAME take weaker locks from PostgreSQL 12', () => {
    const attach = 'ALTER TABLE p ATTACH PARTITION p1 FOR VALUES IN (1)';
    expect(lockOn(run(attach, 11)[0], 'p')).toBe('AccessExclusiveLock');
    expect(lockOn(run(attach, 12)[0], 'p')).toBe('ShareUpdateExclusiveLock');
    expect(lockOn(run(attach, 12)[0], 'p1')).toBe('AccessExclusiveLock');
    expect(lockOn(run('ALTER INDEX i RENAME TO j', 11)[0], 'i')).toBe('AccessExclusiveLock');
    expect(lockOn(run('ALTER INDEX i RENAME TO j', 12)[0], 'i')).toBe('ShareUpdateExclusiveLock');
  });

  it('ALTER TYPE … ADD VALUE cannot run in a transaction before 12', () => {
    expect(run("ALTER TYPE mood ADD VALUE 'x'", 11)[0].transactional).toBe(false);
    expect(run("ALTER TYPE mood ADD VALUE 'x'", 12)[0].transactional).toBe(true);
  });
});

describe('context', () => {
  it('tracks SET LOCAL, RESET and transactions', () => {
    const ctx = new AnalysisContext(15);
    run("SET LOCAL lock_timeout = '1s'", 15, ctx);
    expect(ctx.snapshot().lockTimeoutMs).toBeNull();
    run("SET lock_timeout = '3s'; BEGIN; SET LOCAL lock_timeout = '1s'", 15, ctx);
    expect(ctx.snapshot()).toMatchObject({ lockTimeoutMs: 1000, inTransaction: true });
    const after = new AnalysisContext(15);
    run("SET lock_timeout = '3s'; BEGIN; SET LOCAL lock_timeout = '1s'; COMMIT", 15, after);
    expect(after.snapshot()).toMatchObject({ lockTimeoutMs: 3000, inTransaction: false });
    const reset = new AnalysisContext(15);
    run("SET statement_timeout = '30s'; RESET statement_timeout; SELECT set_config('lock_timeout', '2s', false)", 15, reset);
    expect(reset.snapshot()).toMatchObject({ lockTimeoutMs: 2000, statementTimeoutMs: null });
  });

  it('collects the strong locks held by a transaction', () => {
    const ctx = new AnalysisContext(15);
    run('BEGIN; ALTER TABLE a ADD COLUMN x int; CREATE INDEX CONCURRENTLY i ON b (x); LOCK TABLE c IN SHARE MODE', 15, ctx);
    expect(ctx.snapshot().heldStrongLocks.map((h) => [h.relation.key, h.lock])).toEqual([
      ['a', 'AccessExclusiveLock'],
      ['c', 'ShareLock'],
    ]);
  });

  it('follows renames of tables and columns', () => {
    const ctx = new AnalysisContext(15);
    run('CREATE TABLE a (x varchar(10)); ALTER TABLE a RENAME TO b; ALTER TABLE b RENAME COLUMN x TO y', 15, ctx);
    ctx.treatAllAsExisting();
    const [e] = run('ALTER TABLE b ALTER COLUMN y TYPE varchar(20)', 15, ctx);
    expect(e.actions[0]).toMatchObject({ rewrite: 'no', isNew: false, oldType: expect.objectContaining({ display: 'varchar(10)' }) });
  });
});

describe('DO blocks', () => {
  it('analyses plain statements and constant EXECUTE strings, with quotes and dollar quotes', () => {
    const [e] = run("DO $body$ BEGIN EXECUTE 'ALTER TABLE a ALTER COLUMN n SET DEFAULT ''x'''; EXECUTE $q$CREATE INDEX i ON b (x)$q$; UPDATE c SET x = 1; END $body$");
    expect(e.nested?.map((n) => [n.effects.statementType, n.before.inTransaction])).toEqual([
      ['AlterTableStmt', true],
      ['IndexStmt', true],
      ['UpdateStmt', true],
    ]);
  });

  it('reads string literals as PL/pgSQL gives them', () => {
    expect(stringLiteral("'it''s'")).toBe("it's");
    expect(stringLiteral('$x$a;b$x$')).toBe('a;b');
    expect(stringLiteral("'a' || 'b'")).toBeUndefined();
    expect(stringLiteral("format('%I', t)")).toBeUndefined();
  });
});

describe('helpers', () => {
  it('reads timeouts as PostgreSQL does', () => {
    expect(timeoutMs('5000')).toBe(5000);
    expect(timeoutMs('2s')).toBe(2000);
    expect(timeoutMs('1min')).toBe(60_000);
    expect(timeoutMs('soon')).toBeNull();
  });

  it('grades default expressions', () => {
    const expr = (sql: string) => (parseSqlFile(`SELECT ${sql}`).statements[0].node as { SelectStmt: { targetList: Array<{ ResTarget: { val: unknown } }> } }).SelectStmt.targetList[0].ResTarget.val;
    expect(volatilityOf(expr("'a'"))).toBe('constant');
    expect(volatilityOf(expr("'{}'::jsonb"))).toBe('constant');
    expect(volatilityOf(expr('now()'))).toBe('stable');
    expect(volatilityOf(expr('CURRENT_DATE'))).toBe('stable');
    expect(volatilityOf(expr('random() * 10'))).toBe('volatile');
    expect(volatilityOf(expr('my_func()'))).toBe('unknown');
    expect(volatilityOf(expr('extract(epoch from now())'))).toBe('stable');
    expect(volatilityOf(expr("now() + interval '30 days'"))).toBe('stable');
    expect(volatilityOf(expr("nextval('s'::regclass)"))).toBe('volatile');
    expect(volatilityOf(expr("lower(md5(random()::text))"))).toBe('volatile');
  });
});
