/** Predicted vs observed, without a server: traces as src/effects/trace.ts reports them. */
import { createContext } from '../../src/effects/analyze-files';
import { analyzeStatement } from '../../src/effects/analyze';
import type { TraceResult, TracedRelation } from '../../src/effects/trace';
import { loadParser, parseSqlFile } from '../../src/sql/parser';
import { compare, relationKey } from '../../src/verify/compare';

beforeAll(loadParser);

const SCHEMA = 'CREATE TABLE t (id int PRIMARY KEY, v varchar(10));';

function effectsOf(sql: string) {
  const ctx = createContext({ pgVersion: 15, existingSchema: SCHEMA });
  ctx.startFile();
  const [st] = parseSqlFile(sql).statements;
  return analyzeStatement({ node: st.node, text: st.text }, ctx);
}

const traced = (name: string, over: Partial<TracedRelation>): TracedRelation => ({ name, relkind: 'r', locks: [], heldBefore: [], rewritten: false, seqScans: 0, indexBuilds: 0, ...over });

describe('compare', () => {
  it('agrees when the observation matches, and corrects a wrong rewrite claim', () => {
    const effects = effectsOf('ALTER TABLE t ALTER COLUMN v TYPE varchar(5)');
    const rewritten: TraceResult = { relations: { 'public.t': traced('public.t', { locks: ['AccessExclusiveLock', 'ShareLock'], rewritten: true, seqScans: 1, indexBuilds: 1 }) } };
    expect(compare(effects, rewritten, true).mismatches).toEqual([]);
    const untouched: TraceResult = { relations: { 'public.t': traced('public.t', { locks: ['AccessExclusiveLock'] }) } };
    const c = compare(effects, untouched, true);
    expect(c.mismatches).toEqual(['t: predicted a rewrite, observed none', 't: predicted a full scan, observed none']);
    expect(c.corrected.actions[0]).toMatchObject({ rewrite: 'no', scan: false });
    expect(c.corrected.relations[0]).toMatchObject({ rewrite: 'no', scan: false });
  });

  it('does not compare views (not traced) and resolves what the model could not prove without calling it wrong', () => {
    expect(compare(effectsOf('CREATE VIEW tv AS SELECT id FROM t'), { relations: { 'public.t': traced('public.t', { locks: ['AccessShareLock'] }) } }, true).mismatches).toEqual([]);
    const c = compare(effectsOf('ALTER TABLE other SET TABLESPACE fast'), { relations: { 'public.other': traced('public.other', { locks: ['AccessExclusiveLock'] }) } }, true);
    expect(c.mismatches).toEqual([]);
    expect(c.corrected.actions[0]).toMatchObject({ rewrite: 'no' });
    expect(c.corrected.actions[0].cannotProve).toBeUndefined();
  });

  it('maps traced names to model keys', () => {
    expect(relationKey('public.users')).toBe('users');
    expect(relationKey('app."Users"')).toBe('app.Users');
    expect(relationKey('t')).toBe('t');
  });
});
