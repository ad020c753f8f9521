/** Classes found by replaying real migration histories (bench/replay.js) on PostgreSQL 15 (#14). */
import { createContext } from '../../src/effects/analyze-files';
import { analyzeStatement } from '../../src/effects/analyze';
import type { StatementEffects } from '../../src/effects/types';
import type { TraceResult, TracedRelation } from '../../src/effects/trace';
import { loadParser, parseSqlFile } from '../../src/sql/parser';
import { compare } from '../../src/verify/compare';

beforeAll(loadParser);

const SCHEMA = `CREATE TABLE t (id int PRIMARY KEY, vc varchar(50), v text, ts timestamp, ci cidr, n numeric(10,2));
CREATE DOMAIN short_text AS varchar(100);`;

/** The effects of the last statement of `sql`, after the ones before it, on top of SCHEMA. */
function last(sql: string): StatementEffects {
  const ctx = createContext({ pgVersion: 15, existingSchema: SCHEMA });
  ctx.startFile();
  let effects: StatementEffects | undefined;
  for (const st of parseSqlFile(sql).statements) effects = analyzeStatement({ node: st.node, text: st.text }, ctx);
  return effects!;
}

const typeChange = (sql: string) => last(sql).actions.find((a) => a.kind === 'alter-column-type')!;

describe('a type change without a rewrite and the indexes on the column', () => {
  it.each([
    ['varchar(50) → varchar(100)', 'CREATE INDEX i ON t (vc); ALTER TABLE t ALTER COLUMN vc TYPE varchar(100)'],
    ['varchar → text', 'CREATE INDEX i ON t (vc); ALTER TABLE t ALTER COLUMN vc TYPE text'],
    ['text → varchar', 'CREATE UNIQUE INDEX i ON t (v); ALTER TABLE t ALTER COLUMN v TYPE varchar'],
    ['cidr → inet', 'CREATE INDEX i ON t (ci); ALTER TABLE t ALTER COLUMN ci TYPE inet'],
    ['numeric(10,2) → numeric(12,2)', 'CREATE INDEX i ON t (n); ALTER TABLE t ALTER COLUMN n TYPE numeric(12,2)'],
    ['varchar → a domain over varchar', 'CREATE INDEX i ON t (vc); ALTER TABLE t ALTER COLUMN vc TYPE short_text'],
    ['a UNIQUE constraint', 'ALTER TABLE t ADD CONSTRAINT t_vc_key UNIQUE (vc); ALTER TABLE t ALTER COLUMN vc TYPE varchar(100)'],
  ])('keeps a plain index whose operator class fits: %s', (_what, sql) => {
    const a = typeChange(sql);
    expect({ rewrite: a.rewrite, build: a.indexBuild, scan: a.scan }).toEqual({ rewrite: 'no', build: undefined, scan: false });
  });

  it.each([
    ['an expression index', 'CREATE INDEX i ON t (lower(vc)); ALTER TABLE t ALTER COLUMN vc TYPE varchar(100)', /expression or its WHERE predicate/],
    ['a full-text index', "CREATE INDEX i ON t USING gin (to_tsvector('english', vc)); ALTER TABLE t ALTER COLUMN vc TYPE varchar(250)", /expression/],
    ['a partial index (the column in the predicate)', 'CREATE INDEX i ON t (id) WHERE vc IS NOT NULL; ALTER TABLE t ALTER COLUMN vc TYPE text', /predicate/],
    ['a partial index (the column as its key)', "CREATE INDEX i ON t (vc) WHERE id > 0; ALTER TABLE t ALTER COLUMN vc TYPE text", /predicate/],
    ['timestamp → timestamptz in UTC (another operator class)', "CREATE INDEX i ON t (ts); SET TimeZone = 'UTC'; ALTER TABLE t ALTER COLUMN ts TYPE timestamptz", /operator class/],
  ])('builds again %s, reading every row', (_what, sql, reason) => {
    const a = typeChange(sql);
    expect(a.rewrite).toBe('no');
    expect(a.indexBuild?.reason).toMatch(reason);
    expect(a.scan).toBe(true);
  });

  it('follows a renamed column', () => {
    const a = typeChange('CREATE INDEX i ON t (lower(vc)); ALTER TABLE t RENAME COLUMN vc TO label; ALTER TABLE t ALTER COLUMN label TYPE text');
    expect(a.indexBuild).toBeDefined();
  });
});

describe('statements a DO block runs only under a condition', () => {
  const block = (body: string) => last(`DO $$ DECLARE found boolean; BEGIN SELECT true INTO found; ${body} END $$`).nested!;

  it('are marked conditional under IF, ELSE, CASE, loops and exception handlers; the rest are not', () => {
    const nested = block(`
      ALTER TABLE t ADD COLUMN a int;
      IF found THEN ALTER TABLE t ALTER COLUMN id TYPE bigint; ELSE ALTER TABLE t ALTER COLUMN n TYPE numeric(12,3); END IF;
      FOR i IN 1..2 LOOP UPDATE t SET n = 0; END LOOP;
      BEGIN ALTER TABLE t ADD COLUMN b int; EXCEPTION WHEN duplicate_column THEN ALTER TABLE t ADD COLUMN c int; END;`);
    const byText = Object.fromEntries(nested.map((n) => [n.text.replace(/\s+/g, ' '), n.effects.actions.map((a) => a.conditional ?? null)]));
    expect(byText['ALTER TABLE t ADD COLUMN a int'][0]).toBeNull();
    expect(byText['ALTER TABLE t ALTER COLUMN id TYPE bigint'][0]).toMatch(/an IF/);
    expect(byText['ALTER TABLE t ALTER COLUMN n TYPE numeric(12,3)'][0]).toMatch(/an IF/);
    expect(byText['UPDATE t SET n = 0'][0]).toMatch(/loop/);
    expect(byText['ALTER TABLE t ADD COLUMN b int'][0]).toBeNull();
    expect(byText['ALTER TABLE t ADD COLUMN c int'][0]).toMatch(/exception handler/);
  });

  const traced = (over: Partial<TracedRelation>): TraceResult => ({ relations: { 'public.t': { name: 'public.t', relkind: 'r', locks: [], heldBefore: [], rewritten: false, seqScans: 0, indexBuilds: 0, ...over } } });

  it('--verify: a conditional rewrite that did not run is no model mistake, and the observation decides', () => {
    const effects = last('DO $$ BEGIN IF false THEN ALTER TABLE t ALTER COLUMN id TYPE bigint; END IF; END $$');
    const c = compare(effects, traced({}), true);
    expect(c.mismatches).toEqual([]);
    expect(c.corrected.nested![0].effects.actions[0]).toMatchObject({ rewrite: 'no', scan: false });
  });

  it('--verify: an unconditional one that did not run still is', () => {
    const c = compare(last('DO $$ BEGIN ALTER TABLE t ALTER COLUMN id TYPE bigint; END $$'), traced({}), true);
    expect(c.mismatches).toContain('t: predicted a rewrite, observed none');
  });

  it('--verify: the index a DO block builds on a table it creates itself cannot be observed, and is no model mistake', () => {
    const effects = last('DO $$ BEGIN CREATE TABLE ott (id int, h text); CREATE INDEX ott_h ON ott USING hash (h); END $$');
    expect(effects.nested![1].effects.actions[0].indexBuild).toBeDefined();
    // As the trace reports it: locked by the transaction, but not watched (it did not exist before).
    const trace: TraceResult = { relations: { ott: { name: 'ott', relkind: 'r', locks: ['AccessExclusiveLock', 'ShareLock'], heldBefore: [], rewritten: false, seqScans: 0, indexBuilds: 0 } } };
    expect(compare(effects, trace, true).mismatches).toEqual([]);
  });

  it('--verify: what the statements of a DO block do to one relation is one prediction', () => {
    const effects = last("DO $$ BEGIN UPDATE t SET v = 'x' WHERE id = 1; ALTER TABLE t ALTER COLUMN id TYPE bigint; END $$");
    const c = compare(effects, traced({ locks: ['AccessExclusiveLock', 'ShareLock', 'RowExclusiveLock'], rewritten: true, seqScans: 1, indexBuilds: 1 }), true);
    expect(c.predicted).toHaveLength(1);
    expect(c.mismatches).toEqual([]);
  });
});

describe('DROP … IF EXISTS of a relation nothing declared', () => {
  it('says it cannot prove the lock, and --verify does not call it wrong when nothing was locked', () => {
    const effects = last('DROP TABLE IF EXISTS jobstatuses');
    expect(effects.actions[0].cannotProve).toMatch(/whether jobstatuses exists/);
    expect(compare(effects, { relations: {} }, true).mismatches).toEqual([]);
  });

  it('claims the lock on a relation it knows', () => {
    expect(last('DROP TABLE IF EXISTS t').actions[0].cannotProve).toBeUndefined();
    expect(compare(last('DROP TABLE t'), { relations: {} }, true).mismatches).toEqual(['t: predicted AccessExclusiveLock, observed no lock']);
  });
});
