/** What the context learns decides statements that do nothing or cannot be proven (#14). */
import { createContext } from '../../src/effects/analyze-files';
import { analyzeStatement } from '../../src/effects/analyze';
import type { Action } from '../../src/effects/types';
import { loadParser, parseSqlFile } from '../../src/sql/parser';

beforeAll(loadParser);

/** The actions of the last statement of `sql`, after the ones before it, on top of `schema`. */
function last(sql: string, opts: { schema?: string; serverTimeZone?: string } = {}): Action[] {
  const ctx = createContext({ pgVersion: 15, existingSchema: opts.schema, serverTimeZone: opts.serverTimeZone });
  ctx.startFile();
  let actions: Action[] = [];
  for (const st of parseSqlFile(sql).statements) actions = analyzeStatement({ node: st.node, text: st.text }, ctx).actions;
  return actions;
}

const schema = 'CREATE TABLE t (id int PRIMARY KEY, d int, ts timestamp); CREATE INDEX t_d ON t (d); ALTER TABLE t ADD CONSTRAINT t_d_key UNIQUE (d);';

describe('index and constraint names', () => {
  it('CREATE INDEX IF NOT EXISTS on a name the schema, a constraint or an earlier statement gave builds nothing', () => {
    for (const sql of ['CREATE INDEX IF NOT EXISTS t_d ON t (d)', 'CREATE INDEX IF NOT EXISTS t_pkey ON t (d)', 'CREATE INDEX IF NOT EXISTS t_d_key ON t (d)', 'CREATE INDEX i ON t (d); CREATE INDEX IF NOT EXISTS i ON t (d)']) {
      const [a] = last(sql, { schema });
      expect({ sql, build: a.indexBuild, scan: a.scan, noOp: a.noOp !== undefined }).toEqual({ sql, build: undefined, scan: false, noOp: true });
    }
    expect(last('CREATE INDEX IF NOT EXISTS t_other ON t (d)', { schema })[0].indexBuild).toBeDefined();
    expect(last('DROP INDEX t_d; CREATE INDEX IF NOT EXISTS t_d ON t (d)', { schema })[0].indexBuild).toBeDefined();
  });

  it('CREATE TABLE IF NOT EXISTS and ADD COLUMN IF NOT EXISTS on what exists do nothing', () => {
    expect(last('CREATE TABLE IF NOT EXISTS t (id int)', { schema })).toEqual([]);
    const [add] = last('ALTER TABLE t ADD COLUMN IF NOT EXISTS d int NOT NULL', { schema });
    expect(add).toMatchObject({ scan: false, noOp: expect.stringContaining('already exists') });
    expect(add.failsIfRows).toBeUndefined();
    expect(last('ALTER TABLE t ADD COLUMN IF NOT EXISTS e int NOT NULL', { schema })[0].failsIfRows).toBe(true);
  });
});

describe('settings and unknowable answers', () => {
  it('follows SET TimeZone, RESET and lint.serverTimeZone for timestamp → timestamptz', () => {
    const change = 'ALTER TABLE t ALTER COLUMN ts TYPE timestamptz';
    expect(last(change, { schema })[0]).toMatchObject({ rewrite: 'unknown', cannotProve: expect.stringContaining('TimeZone') });
    expect(last(`SET TIME ZONE 'UTC'; ${change}`, { schema })[0].rewrite).toBe('no');
    expect(last(`SET TimeZone = 'Europe/Paris'; ${change}`, { schema })[0].rewrite).toBe('yes');
    expect(last(change, { schema, serverTimeZone: 'UTC' })[0].rewrite).toBe('no');
    expect(last(`SET TIME ZONE 'Europe/Paris'; RESET TimeZone; ${change}`, { schema, serverTimeZone: 'Etc/UTC' })[0].rewrite).toBe('no');
    expect(last(`SET LOCAL TIME ZONE 'UTC'; ${change}`, { schema })[0].rewrite).toBe('unknown');
    expect(last(`BEGIN; SET LOCAL TIME ZONE 'UTC'; COMMIT; ${change}`, { schema })[0].rewrite).toBe('unknown');
  });

  it('knows the tablespace of what it saw created, and says what it cannot know', () => {
    expect(last('CREATE TABLE a (id int) TABLESPACE fast; ALTER TABLE a SET TABLESPACE fast')[0]).toMatchObject({ rewrite: 'no', noOp: expect.any(String) });
    expect(last("SET default_tablespace = 'fast'; CREATE TABLE a (id int); ALTER TABLE a SET TABLESPACE fast")[0].rewrite).toBe('no');
    expect(last('CREATE TABLE a (id int); ALTER TABLE a SET TABLESPACE fast')[0].rewrite).toBe('yes');
    expect(last('ALTER TABLE nowhere SET TABLESPACE fast')[0]).toMatchObject({ rewrite: 'unknown', cannotProve: expect.stringContaining('nowhere') });
  });

  it('SET NOT NULL: nothing to scan when already NOT NULL, cannot prove when the column is unknown', () => {
    expect(last('ALTER TABLE t ALTER COLUMN id SET NOT NULL', { schema })[0].scan).toBe(false);
    expect(last('ALTER TABLE t ALTER COLUMN d SET NOT NULL', { schema })[0]).toMatchObject({ scan: true });
    expect(last('ALTER TABLE t ALTER COLUMN d SET NOT NULL', { schema })[0].cannotProve).toBeUndefined();
    expect(last('ALTER TABLE other ALTER COLUMN d SET NOT NULL', { schema })[0]).toMatchObject({ scan: true, cannotProve: expect.stringContaining('NOT NULL') });
  });
});

describe('ATTACH PARTITION', () => {
  const parts = 'CREATE TABLE p (id int, k int) PARTITION BY LIST (k); CREATE TABLE p1 (id int, k int NOT NULL);';
  const attachScan = (sql: string) => last(sql, { schema: parts }).find((a) => a.relation.key === 'p1')!;

  it('skips the scan only when a validated CHECK implies the bound on a non-null key', () => {
    expect(attachScan('ALTER TABLE p1 ADD CONSTRAINT c CHECK (k = 1); ALTER TABLE p ATTACH PARTITION p1 FOR VALUES IN (1, 2)').scan).toBe(false);
    expect(attachScan('ALTER TABLE p1 ADD CONSTRAINT c CHECK (k = 1) NOT VALID; ALTER TABLE p ATTACH PARTITION p1 FOR VALUES IN (1)').scan).toBe(true);
    expect(attachScan('ALTER TABLE p1 ADD CONSTRAINT c CHECK (k IN (1, 3)); ALTER TABLE p ATTACH PARTITION p1 FOR VALUES IN (1)')).toMatchObject({ scan: true, cannotProve: expect.any(String) });
    expect(attachScan('ALTER TABLE p ATTACH PARTITION p1 FOR VALUES IN (1)')).toMatchObject({ scan: true });
    expect(attachScan('ALTER TABLE p ATTACH PARTITION p1 FOR VALUES IN (1)').cannotProve).toBeUndefined();
  });

  it('locks and scans the default partition', () => {
    const [parent] = last('CREATE TABLE pd PARTITION OF p DEFAULT; ALTER TABLE p ATTACH PARTITION p1 FOR VALUES IN (1)', { schema: parts });
    expect(parent.otherLocks?.find((o) => o.relation.key === 'pd')).toMatchObject({ lock: 'AccessExclusiveLock', scan: true });
  });
});
