import { EXAMPLE_SCHEMA as EXAMPLE_TABLES } from '../fixtures/example-schema';
import { findingsOf } from './helpers';

const rule = 'multiple-strong-locks';

describe(rule, () => {
  it('reports a second strongly locked table in one transaction', async () => {
    const sql = "BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE users ADD COLUMN a text;\nALTER TABLE users ADD COLUMN b text;\nALTER TABLE orgs ADD COLUMN c text;\nCOMMIT;";
    const found = await findingsOf(rule, sql);
    expect(found.map((f) => f.start.line)).toEqual([5]);
    expect(found[0].message).toContain('orgs while already holding strong locks on users (AccessExclusiveLock)');
  });

  it('does not report separate transactions, autocommit statements, or new tables', async () => {
    expect(await findingsOf(rule, 'BEGIN;\nALTER TABLE users ADD COLUMN a text;\nCOMMIT;\nBEGIN;\nALTER TABLE orgs ADD COLUMN c text;\nCOMMIT;')).toEqual([]);
    expect(await findingsOf(rule, 'ALTER TABLE users ADD COLUMN a text;\nALTER TABLE orgs ADD COLUMN c text;')).toEqual([]);
    expect(await findingsOf(rule, 'BEGIN;\nALTER TABLE users ADD COLUMN a text;\nCREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;\nCOMMIT;')).toEqual([]);
  });

  it('counts a partitioned table and the partitions its ALTER TABLE reaches as one table', async () => {
    const schema = [
      'CREATE TABLE events (id int, at date NOT NULL) PARTITION BY RANGE (at);',
      "CREATE TABLE events_2024 PARTITION OF events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');",
      "CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');",
    ].join('\n');
    const sql = "BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE events ADD COLUMN note text;\nALTER TABLE events ADD COLUMN tag text;\nCOMMIT;";
    expect(await findingsOf(rule, sql, { existingSchema: schema })).toEqual([]);
    // Naming a partition the parent's ALTER TABLE already locked waits for nothing; another table does.
    const withOther = sql.replace('COMMIT;', 'ALTER TABLE events_2024 ADD CONSTRAINT c CHECK (id > 0) NOT VALID;\nALTER TABLE users ADD COLUMN c text;\nCOMMIT;');
    const found = await findingsOf(rule, withOther, { existingSchema: `${schema}\n${EXAMPLE_TABLES}` });
    expect(found.map((f) => f.start.line)).toEqual([6]);
    expect(found[0].message).toContain('users while already holding strong locks on events (AccessExclusiveLock)');
  });

  it('counts DO blocks and file transactions, and honours maxTables', async () => {
    const doBlock = 'DO $$ BEGIN ALTER TABLE users ADD COLUMN a text; ALTER TABLE orgs ADD COLUMN b text; END $$;';
    expect(await findingsOf(rule, doBlock)).toHaveLength(1);
    const twoStatements = 'ALTER TABLE users ADD COLUMN a text;\nALTER TABLE orgs ADD COLUMN c text;';
    expect(await findingsOf(rule, twoStatements, { fileTransaction: true })).toHaveLength(1);
    expect(await findingsOf(rule, twoStatements, { fileTransaction: true, ruleOptions: { [rule]: { maxTables: 2 } } })).toEqual([]);
  });
});
