import { findingsOf } from './helpers';

const rule = 'lock-timeout';

describe(rule, () => {
  it('reports a strong lock on an existing table with no lock_timeout', async () => {
    const [f] = await findingsOf(rule, 'ALTER TABLE users ADD COLUMN note text;');
    expect(f.message).toBe('No lock_timeout is set before this statement takes AccessExclusiveLock on users');
    expect(f.fix).toContain("SET lock_timeout = '2s';");
  });

  it('accepts a lock_timeout within the policy maximum, in any spelling', async () => {
    for (const set of ["SET lock_timeout = '2s';", 'SET lock_timeout TO 3000;', "SET lock_timeout = '5s';", "SELECT set_config('lock_timeout', '1s', false);"]) {
      expect(await findingsOf(rule, `${set}\nALTER TABLE users ADD COLUMN note text;`)).toEqual([]);
    }
  });

  it('reports a lock_timeout above the maximum, 0, or reset', async () => {
    const [long] = await findingsOf(rule, "SET lock_timeout = '10s';\nALTER TABLE users ADD COLUMN note text;");
    expect(long.message).toContain('lock_timeout 10s is longer than the policy maximum 5s');
    expect(await findingsOf(rule, 'SET lock_timeout = 0;\nALTER TABLE users ADD COLUMN note text;')).toHaveLength(1);
    expect(await findingsOf(rule, "SET lock_timeout = '1s';\nRESET lock_timeout;\nALTER TABLE users ADD COLUMN note text;")).toHaveLength(1);
    expect(await findingsOf(rule, "SET lock_timeout = '3s';\nALTER TABLE users ADD COLUMN note text;", { maxLockTimeoutMs: 1000 })).toHaveLength(1);
  });

  it('warns when only a short statement_timeout bounds the wait', async () => {
    const [f] = await findingsOf(rule, "SET statement_timeout = '3s';\nALTER TABLE users ADD COLUMN note text;");
    expect(f).toMatchObject({ severity: 'warning', message: expect.stringContaining('Only statement_timeout (3s) bounds the wait') });
    const [long] = await findingsOf(rule, "SET statement_timeout = '1min';\nALTER TABLE users ADD COLUMN note text;");
    expect(long).toMatchObject({ severity: 'error', message: expect.stringContaining('No lock_timeout') });
  });

  it('sees timeouts set inside a DO block, and that SET LOCAL there ends with the block', async () => {
    const inside = "DO $$ BEGIN PERFORM set_config('lock_timeout', '2s', true); ALTER TABLE users ADD COLUMN a text; END $$;\nALTER TABLE users ADD COLUMN b text;";
    expect((await findingsOf(rule, inside)).map((f) => f.start.line)).toEqual([2]);
  });

  it('ends SET LOCAL with the transaction', async () => {
    const sql = "BEGIN;\nSET LOCAL lock_timeout = '1s';\nALTER TABLE users ADD COLUMN a text;\nCOMMIT;\nALTER TABLE users ADD COLUMN b text;";
    expect((await findingsOf(rule, sql)).map((f) => f.start.line)).toEqual([5]);
  });

  it('does not carry a session setting into the next file', async () => {
    const found = await findingsOf(rule, ["SET lock_timeout = '1s';\nALTER TABLE users ADD COLUMN a text;", 'ALTER TABLE users ADD COLUMN b text;']);
    expect(found.map((f) => f.file)).toEqual(['migrations/0002.sql']);
  });

  it('ignores weak locks and new tables, and sees referenced tables', async () => {
    expect(await findingsOf(rule, 'CREATE INDEX CONCURRENTLY i ON users (name);')).toEqual([]);
    expect(await findingsOf(rule, 'ALTER TABLE users ALTER COLUMN name SET STATISTICS 500;')).toEqual([]);
    expect(await findingsOf(rule, 'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int;')).toEqual([]);
    const [fk] = await findingsOf(rule, 'CREATE TABLE t (org int REFERENCES orgs (id));');
    expect(fk.message).toContain('ShareRowExclusiveLock on orgs');
  });

  it('sees the referenced table locked when a foreign key is dropped', async () => {
    const schema = 'CREATE TABLE orgs (id int PRIMARY KEY);\nCREATE TABLE members (id int, org_id int REFERENCES orgs (id));';
    for (const sql of ['DROP TABLE members;', 'ALTER TABLE members DROP CONSTRAINT members_org_id_fkey;', 'ALTER TABLE members DROP COLUMN org_id;']) {
      const [f] = await findingsOf(rule, sql, { existingSchema: schema });
      expect(f.message).toContain('AccessExclusiveLock on members, orgs');
    }
    expect((await findingsOf(rule, 'ALTER TABLE members DROP COLUMN id;', { existingSchema: schema }))[0].message).toContain('on members');
  });

  it('sees CREATE OR REPLACE of a view that may be in use, not a new view', async () => {
    const [f] = await findingsOf(rule, 'CREATE OR REPLACE VIEW active_users AS SELECT * FROM users WHERE score > 0;');
    expect(f.message).toContain('AccessExclusiveLock on active_users');
    expect(await findingsOf(rule, 'CREATE VIEW active_users AS SELECT * FROM users;')).toEqual([]);
  });

  it('can be turned off (dbops migrate sets lock_timeout itself) and takes a maxMs option', async () => {
    expect(await findingsOf(rule, 'ALTER TABLE users ADD COLUMN a text;', { severities: { [rule]: 'off' } })).toEqual([]);
    const sql = "SET lock_timeout = '8s';\nALTER TABLE users ADD COLUMN a text;";
    expect(await findingsOf(rule, sql, { ruleOptions: { [rule]: { maxMs: 10_000 } } })).toEqual([]);
    expect(await findingsOf(rule, sql, { ruleOptions: { [rule]: { max: '10s' } } })).toEqual([]);
    expect(await findingsOf(rule, sql, { ruleOptions: { [rule]: { max: '7s' } } })).toHaveLength(1);
  });
});
