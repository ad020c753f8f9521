import { findingsOf } from './helpers';

describe.each([
  ['vacuum-full', 'VACUUM FULL users;', 'VACUUM (ANALYZE) users;', 'rewrite'],
  ['vacuum-full', 'VACUUM (FULL, ANALYZE) users;', 'VACUUM (FULL false) users;', 'rewrite'],
  ['cluster-table', 'CLUSTER users USING users_pkey;', 'CREATE TABLE t (a int);\nCLUSTER t;', 'rewrite'],
  ['setting-tablespace', 'ALTER TABLE users SET TABLESPACE fast;', "ALTER TABLE users SET (fillfactor = 70);", 'rewrite'],
  ['setting-logged-unlogged', 'ALTER TABLE users SET UNLOGGED;', 'CREATE UNLOGGED TABLE t (a int);\nALTER TABLE t SET LOGGED;', 'rewrite'],
  ['refreshing-materialized-view', 'REFRESH MATERIALIZED VIEW stats;', 'CREATE MATERIALIZED VIEW v AS SELECT 1 AS x;\nREFRESH MATERIALIZED VIEW v;', 'rewrite'],
  ['refreshing-materialized-view', 'REFRESH MATERIALIZED VIEW CONCURRENTLY stats;', 'CREATE MATERIALIZED VIEW v AS SELECT 1 AS x;\nREFRESH MATERIALIZED VIEW CONCURRENTLY v;', 'scan'],
  ['truncating-table', 'TRUNCATE users;', 'CREATE TABLE t (a int);\nTRUNCATE t;', 'rewrite'],
  ['lock-table', 'BEGIN;\nLOCK TABLE users;\nCOMMIT;', 'BEGIN;\nLOCK TABLE users IN ACCESS SHARE MODE;\nCOMMIT;', 'lock'],
  ['lock-table', 'BEGIN;\nLOCK users IN SHARE MODE;\nCOMMIT;', 'BEGIN;\nLOCK users IN SHARE UPDATE EXCLUSIVE MODE;\nCOMMIT;', 'lock'],
  ['unbatched-update-delete', 'UPDATE users SET score = 0;', 'UPDATE users SET score = 0 WHERE id = 1;', 'lock'],
  ['unbatched-update-delete', 'DELETE FROM users;', "DELETE FROM users WHERE created < '2020-01-01';", 'lock'],
  ['renaming-column', 'ALTER TABLE users RENAME COLUMN name TO full_name;', 'CREATE TABLE t (a int);\nALTER TABLE t RENAME COLUMN a TO b;', 'compatibility'],
  ['renaming-table', 'ALTER TABLE users RENAME TO people;', 'CREATE TABLE t (a int);\nALTER TABLE t RENAME TO t2;', 'compatibility'],
  ['dropping-column', 'ALTER TABLE users DROP COLUMN email;', 'ALTER TABLE users ALTER COLUMN email DROP DEFAULT;', 'compatibility'],
  ['dropping-table', 'DROP TABLE users;', 'CREATE TABLE t (a int);\nDROP TABLE t;', 'compatibility'],
])('%s', (rule, bad, good, category) => {
  it(`reports: ${bad.replace(/\n/g, ' ')}`, async () => {
    const found = await findingsOf(rule, bad);
    expect(found).toHaveLength(1);
    expect(found[0].category).toBe(category);
    expect(found[0].message).toMatch(/users|stats/);
    expect(found[0].why.length).toBeGreaterThan(20);
    expect(found[0].fix).toBeTruthy();
  });
  it(`does not report: ${good.replace(/\n/g, ' ')}`, async () => {
    expect(await findingsOf(rule, good)).toEqual([]);
  });
  it('can be suppressed with a reason', async () => {
    const lines = bad.split('\n');
    const at = lines.findIndex((l) => !/^(BEGIN|COMMIT)/.test(l));
    lines.splice(at, 0, `-- dbops-ignore: ${rule} reviewed with the on-call DBA`);
    expect(await findingsOf(rule, lines.join('\n'))).toEqual([]);
  });
});

describe('renames and drops follow the run', () => {
  it('a table renamed earlier in the run keeps being new', async () => {
    expect(await findingsOf('dropping-table', 'CREATE TABLE t (a int);\nALTER TABLE t RENAME TO t2;\nDROP TABLE t2;')).toEqual([]);
  });
});

describe('renames that swap names keep old clients working', () => {
  it('does not report a column swap or a table swap in one file', async () => {
    const columns = 'BEGIN;\nALTER TABLE users RENAME COLUMN score TO score_old;\nALTER TABLE users RENAME COLUMN score_new TO score;\nCOMMIT;';
    expect(await findingsOf('renaming-column', columns)).toEqual([]);
    const tables = 'BEGIN;\nALTER TABLE users RENAME TO users_old;\nALTER TABLE users_new RENAME TO users;\nCOMMIT;';
    expect(await findingsOf('renaming-table', tables)).toEqual([]);
  });

  it('does not report a rename that leaves a view under the old name', async () => {
    expect(await findingsOf('renaming-table', 'ALTER TABLE users RENAME TO accounts;\nCREATE VIEW users AS SELECT * FROM accounts;')).toEqual([]);
  });

  it('still reports when the old name is taken only in a later file, or by a column clients use', async () => {
    const found = await findingsOf('renaming-column', ['ALTER TABLE users RENAME COLUMN score TO points;', 'ALTER TABLE users ADD COLUMN score int;']);
    expect(found).toHaveLength(1);
    // score is reused (not reported), but clients reading name break.
    const shuffle = await findingsOf('renaming-column', 'ALTER TABLE users RENAME COLUMN score TO points;\nALTER TABLE users RENAME COLUMN name TO score;');
    expect(shuffle.map((f) => f.start.line)).toEqual([2]);
  });
});
