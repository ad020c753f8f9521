import { findingsOf } from './helpers';

const rule = 'requires-newer-postgres';

describe(rule, () => {
  it.each([
    ['REINDEX INDEX CONCURRENTLY users_email', 12, 11],
    ['ALTER TABLE users ADD COLUMN lname text GENERATED ALWAYS AS (lower(name)) STORED', 12, 11],
    ['ALTER TABLE p DETACH PARTITION p1 CONCURRENTLY', 14, 13],
    ['ALTER TABLE users ALTER COLUMN email SET COMPRESSION lz4', 14, 13],
    ['MERGE INTO users u USING orgs o ON u.org_id = o.id WHEN MATCHED THEN UPDATE SET score = 0', 15, 14],
    ['CREATE UNIQUE INDEX CONCURRENTLY i ON users (email) NULLS NOT DISTINCT', 15, 14],
    ['ALTER TABLE users ADD CONSTRAINT users_name_nn NOT NULL name NOT VALID', 18, 17],
  ])('%s needs PostgreSQL %i', async (sql, needs, older) => {
    const [f] = await findingsOf(rule, `${sql};`, { pgVersion: older });
    expect(f.message).toContain(`needs PostgreSQL ${needs}; the target is PostgreSQL ${older}`);
    expect(await findingsOf(rule, `${sql};`, { pgVersion: needs })).toEqual([]);
  });

  it('looks inside DO blocks', async () => {
    expect(await findingsOf(rule, 'DO $$ BEGIN MERGE INTO users u USING orgs o ON u.org_id = o.id WHEN MATCHED THEN DELETE; END $$;', { pgVersion: 14 })).toHaveLength(1);
  });
});
