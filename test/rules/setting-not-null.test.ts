import { findingsOf } from './helpers';

const rule = 'setting-not-null';

describe(rule, () => {
  it('reports SET NOT NULL without a proof, with the CHECK recipe on PostgreSQL 12+', async () => {
    const [f] = await findingsOf(rule, 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;');
    expect(f).toMatchObject({ severity: 'error', category: 'scan' });
    expect(f.fix).toContain('CHECK (email IS NOT NULL) NOT VALID');
    expect(f.fix).toContain('VALIDATE CONSTRAINT');
  });

  it('accepts SET NOT NULL after a validated CHECK (col IS NOT NULL) on PostgreSQL 12+', async () => {
    const sql = [
      'ALTER TABLE users ADD CONSTRAINT users_email_nn CHECK (email IS NOT NULL) NOT VALID;',
      'ALTER TABLE users VALIDATE CONSTRAINT users_email_nn;',
      'ALTER TABLE users ALTER COLUMN email SET NOT NULL;',
    ];
    expect(await findingsOf(rule, sql.join('\n'))).toEqual([]);
    // The proof may come from an earlier file of the same run.
    expect(await findingsOf(rule, [sql.slice(0, 2).join('\n'), sql[2]])).toEqual([]);
    // Before 12, SET NOT NULL always scans.
    expect(await findingsOf(rule, sql.join('\n'), { pgVersion: 11 })).toHaveLength(1);
  });

  it('still reports when the CHECK was never validated, or is on another column', async () => {
    const notValidated = 'ALTER TABLE users ADD CONSTRAINT c CHECK (email IS NOT NULL) NOT VALID;\nALTER TABLE users ALTER COLUMN email SET NOT NULL;';
    expect(await findingsOf(rule, notValidated)).toHaveLength(1);
    const other = 'ALTER TABLE users ADD CONSTRAINT c CHECK (name IS NOT NULL);\nALTER TABLE users ALTER COLUMN email SET NOT NULL;';
    expect(await findingsOf(rule, other)).toHaveLength(1);
  });

  it('does not report a column that is already NOT NULL, or a new table', async () => {
    expect(await findingsOf(rule, 'ALTER TABLE users ALTER COLUMN id SET NOT NULL;')).toEqual([]);
    expect(await findingsOf(rule, 'CREATE TABLE t (a int);\nALTER TABLE t ALTER COLUMN a SET NOT NULL;')).toEqual([]);
  });

  it('sees the PostgreSQL 18 spelling, and accepts its NOT VALID form', async () => {
    expect(await findingsOf(rule, 'ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email;', { pgVersion: 18 })).toHaveLength(1);
    expect(await findingsOf(rule, 'ALTER TABLE users ADD CONSTRAINT users_email_nn NOT NULL email NOT VALID;', { pgVersion: 18 })).toEqual([]);
  });

  it('gives the pre-12 recipe on PostgreSQL 11', async () => {
    const [f] = await findingsOf(rule, 'ALTER TABLE users ALTER COLUMN email SET NOT NULL;', { pgVersion: 11 });
    expect(f.fix).toContain('Before PostgreSQL 12');
  });
});
