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

describe('adding-required-column', () => {
  const rule = 'adding-required-column';
  it('reports NOT NULL (or PRIMARY KEY) without a default on an existing table', async () => {
    const [f] = await findingsOf(rule, 'ALTER TABLE users ADD COLUMN tenant_id int NOT NULL;');
    expect(f.message).toBe('Adding NOT NULL column users.tenant_id without a default fails as soon as users has a row');
    expect(f.fix).toContain('ADD COLUMN tenant_id integer NOT NULL DEFAULT <value>;');
    expect(await findingsOf(rule, 'ALTER TABLE users ADD COLUMN k int PRIMARY KEY;')).toHaveLength(1);
  });
  it('does not report a default, serial/identity, a nullable column or a new table', async () => {
    for (const sql of [
      'ALTER TABLE users ADD COLUMN tenant_id int NOT NULL DEFAULT 0;',
      'ALTER TABLE users ADD COLUMN seq bigserial NOT NULL;',
      'ALTER TABLE users ADD COLUMN seq int GENERATED ALWAYS AS IDENTITY;',
      'ALTER TABLE users ADD COLUMN tenant_id int;',
      'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int NOT NULL;',
    ]) {
      expect(await findingsOf(rule, sql)).toEqual([]);
    }
  });
});
