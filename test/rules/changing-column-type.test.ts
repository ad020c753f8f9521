import { findingsOf, lint } from './helpers';

const rule = 'changing-column-type';

describe(rule, () => {
  it('reports type changes that rewrite, naming table, column and reason', async () => {
    const [f] = await findingsOf(rule, 'ALTER TABLE users ALTER COLUMN id TYPE bigint;');
    expect(f).toMatchObject({ severity: 'error', category: 'rewrite' });
    expect(f.message).toContain('users.id');
    expect(f.message).toContain('integer → bigint');
    expect(f.why).toContain('AccessExclusiveLock');
    expect(f.fix).toContain('ADD COLUMN id_new bigint');
  });

  it.each([
    ['varchar(50) → varchar(100)', 'ALTER TABLE users ALTER COLUMN name TYPE varchar(100)'],
    ['varchar(n) → text', 'ALTER TABLE users ALTER COLUMN name TYPE text'],
    ['varchar(n) → varchar', 'ALTER TABLE users ALTER COLUMN name TYPE varchar'],
    ['text → varchar', 'ALTER TABLE users ALTER COLUMN email TYPE varchar'],
    ['numeric precision widening', 'ALTER TABLE users ALTER COLUMN score TYPE numeric(12,2)'],
    ['numeric → unconstrained', 'ALTER TABLE users ALTER COLUMN score TYPE numeric'],
    ['a USING that is a plain cast', 'ALTER TABLE users ALTER COLUMN name TYPE text USING name::text'],
  ])('does not report %s', async (_what, sql) => {
    expect(await findingsOf(rule, sql)).toEqual([]);
  });

  it.each([
    ['int → bigint', 'ALTER TABLE users ALTER COLUMN org_id TYPE bigint'],
    ['text → varchar(n)', 'ALTER TABLE users ALTER COLUMN email TYPE varchar(20)'],
    ['varchar shrinking', 'ALTER TABLE users ALTER COLUMN name TYPE varchar(10)'],
    ['numeric scale change', 'ALTER TABLE users ALTER COLUMN score TYPE numeric(12,3)'],
  ])('reports %s as a rewrite (error)', async (_what, sql) => {
    const found = await findingsOf(rule, sql);
    expect(found.map((f) => f.severity)).toEqual(['error']);
  });

  it('reports a change that rewrites no row but builds an index again as index-build work', async () => {
    const [f] = await findingsOf(rule, 'CREATE INDEX users_name_lower ON users (lower(name)); ALTER TABLE users ALTER COLUMN name TYPE varchar(100);');
    expect(f).toMatchObject({ severity: 'error', category: 'index-build' });
    expect(f.message).toContain('users.name');
    expect(f.message).toContain('builds its index again');
    expect(f.fix).toContain('DROP INDEX CONCURRENTLY');
    // A plain index on the column is kept: nothing to report.
    expect(await findingsOf(rule, 'ALTER TABLE users ALTER COLUMN email TYPE varchar;')).toEqual([]);
  });

  it('warns that safety cannot be proven when the old type is unknown', async () => {
    const [f] = await findingsOf(rule, 'ALTER TABLE invoices ALTER COLUMN total TYPE numeric(12,2);');
    expect(f.severity).toBe('warning');
    expect(f.message).toMatch(/may rewrite.*current type is not known/);
  });

  it('learns types from earlier files in the same run', async () => {
    const files = ['CREATE TABLE invoices (id int, note varchar(50));', 'ALTER TABLE invoices ALTER COLUMN note TYPE varchar(200);'];
    // The table is new in this run (exempt), so learn it from one run and check with the schema instead.
    expect(await findingsOf(rule, files)).toEqual([]);
    expect(await findingsOf(rule, 'ALTER TABLE invoices ALTER COLUMN note TYPE varchar(200);', { existingSchema: files[0] })).toEqual([]);
    expect(await findingsOf(rule, 'ALTER TABLE invoices ALTER COLUMN id TYPE bigint;', { existingSchema: files[0] })).toHaveLength(1);
  });

  it('follows a type through earlier ALTER TYPEs and ADD COLUMNs', async () => {
    const sql = [
      "SET lock_timeout = '2s';",
      'ALTER TABLE users ADD COLUMN nick varchar(20);',
      'ALTER TABLE users ALTER COLUMN nick TYPE varchar(40);',
      'ALTER TABLE users ALTER COLUMN nick TYPE text;',
      'ALTER TABLE users ALTER COLUMN nick TYPE varchar(5);',
    ].join('\n');
    const found = await findingsOf(rule, sql);
    expect(found.map((f) => f.start.line)).toEqual([5]);
  });

  it('follows a renamed enum type (the Prisma enum swap)', async () => {
    const schema = 'CREATE TYPE "Status" AS ENUM (\'a\');\nCREATE TABLE orders (id int, status "Status");';
    const swap = [
      "SET lock_timeout = '2s';",
      'ALTER TYPE "Status" RENAME TO "Status_old";',
      'CREATE TYPE "Status" AS ENUM (\'a\', \'b\');',
      'ALTER TABLE orders ALTER COLUMN status TYPE "Status" USING (status::text::"Status");',
      'DROP TYPE "Status_old";',
    ].join('\n');
    const [f] = await findingsOf(rule, swap, { existingSchema: schema });
    expect(f).toMatchObject({ severity: 'error', start: { line: 4 } });
    expect(f.message).toContain('Status_old → Status');
    // Without the rename, the same name is the same type: nothing changes.
    expect(await findingsOf(rule, 'ALTER TABLE orders ALTER COLUMN status TYPE "Status";', { existingSchema: schema })).toEqual([]);
  });

  it('exempts tables created earlier in the run', async () => {
    expect(await findingsOf(rule, 'CREATE TABLE t (id int);\nALTER TABLE t ALTER COLUMN id TYPE bigint;')).toEqual([]);
  });

  it('sees type changes inside DO blocks', async () => {
    const found = await findingsOf(rule, 'DO $$ BEGIN ALTER TABLE users ALTER COLUMN org_id TYPE bigint; END $$;');
    expect(found).toHaveLength(1);
  });

  it('can be suppressed with a reason, and turned off', async () => {
    const sql = '-- dbops-ignore: changing-column-type users has 12 rows\nALTER TABLE users ALTER COLUMN org_id TYPE bigint;';
    const all = await lint(sql);
    expect(all.filter((f) => f.ruleId === rule || f.ruleId.endsWith('suppression'))).toEqual([]);
    expect(await findingsOf(rule, 'ALTER TABLE users ALTER COLUMN org_id TYPE bigint;', { severities: { [rule]: 'off' } })).toEqual([]);
  });
});
