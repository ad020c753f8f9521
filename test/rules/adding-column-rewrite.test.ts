import { findingsOf } from './helpers';

const rule = 'adding-column-rewrite';

describe(rule, () => {
  it.each([
    ['a volatile default', 'ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()'],
    ['clock_timestamp()', 'ALTER TABLE users ADD COLUMN seen timestamptz DEFAULT clock_timestamp()'],
    ['serial', 'ALTER TABLE users ADD COLUMN seq bigserial'],
    ['identity', 'ALTER TABLE users ADD COLUMN seq int GENERATED ALWAYS AS IDENTITY'],
    ['a stored generated column', 'ALTER TABLE users ADD COLUMN lname text GENERATED ALWAYS AS (lower(name)) STORED'],
  ])('reports %s', async (_what, sql) => {
    const found = await findingsOf(rule, sql);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'error', category: 'rewrite' });
    expect(found[0].message).toContain('users.');
  });

  it.each([
    ['no default', 'ALTER TABLE users ADD COLUMN note text'],
    ['a constant default', "ALTER TABLE users ADD COLUMN status text DEFAULT 'active' NOT NULL"],
    ['now()', 'ALTER TABLE users ADD COLUMN added timestamptz DEFAULT now()'],
    ['CURRENT_TIMESTAMP', 'ALTER TABLE users ADD COLUMN added timestamptz DEFAULT CURRENT_TIMESTAMP'],
    ['an explicit NULL default', 'ALTER TABLE users ADD COLUMN note text DEFAULT NULL'],
  ])('does not report %s on PostgreSQL 11+', async (_what, sql) => {
    expect(await findingsOf(rule, sql)).toEqual([]);
  });

  it('reports any non-null default before PostgreSQL 11', async () => {
    const sql = "ALTER TABLE users ADD COLUMN status text DEFAULT 'active'";
    expect(await findingsOf(rule, sql, { pgVersion: 10 })).toHaveLength(1);
    expect(await findingsOf(rule, sql, { pgVersion: 11 })).toEqual([]);
  });

  it('warns when the default calls an unknown function', async () => {
    const [f] = await findingsOf(rule, 'ALTER TABLE users ADD COLUMN code text DEFAULT make_code()');
    expect(f.severity).toBe('warning');
    expect(f.message).toContain('may rewrite');
  });

  it('exempts new tables and honours suppressions', async () => {
    expect(await findingsOf(rule, 'CREATE TABLE t (id int);\nALTER TABLE t ADD COLUMN u uuid DEFAULT gen_random_uuid();')).toEqual([]);
    expect(await findingsOf(rule, '-- dbops-ignore: adding-column-rewrite tiny table\nALTER TABLE users ADD COLUMN s serial;')).toEqual([]);
  });
});
