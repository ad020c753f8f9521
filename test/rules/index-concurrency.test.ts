import { findingsOf } from './helpers';

describe('creating-index-non-concurrently', () => {
  const rule = 'creating-index-non-concurrently';
  it('reports CREATE INDEX on an existing table and suggests CONCURRENTLY', async () => {
    const [f] = await findingsOf(rule, 'CREATE INDEX users_name ON users (name);');
    expect(f.why).toContain('ShareLock');
    expect(f.fix).toContain('CREATE INDEX CONCURRENTLY users_name ON users (name);');
    const [u] = await findingsOf(rule, 'create unique index users_name on users (name);');
    expect(u.fix).toContain('create unique index CONCURRENTLY users_name');
  });
  it('does not report CONCURRENTLY or a new table', async () => {
    expect(await findingsOf(rule, 'CREATE INDEX CONCURRENTLY users_name ON users (name);')).toEqual([]);
    expect(await findingsOf(rule, 'CREATE TABLE t (a int);\nCREATE INDEX ON t (a);')).toEqual([]);
  });
});

describe('dropping-index-non-concurrently', () => {
  const rule = 'dropping-index-non-concurrently';
  it('reports DROP INDEX and names the table it locks when known', async () => {
    const [f] = await findingsOf(rule, 'DROP INDEX users_email;');
    expect(f.why).toContain('AccessExclusiveLock on users');
    expect(f.fix).toBe('DROP INDEX CONCURRENTLY users_email;  -- outside a transaction block');
  });
  it('does not report DROP INDEX CONCURRENTLY, or an index of a new table', async () => {
    expect(await findingsOf(rule, 'DROP INDEX CONCURRENTLY users_email;')).toEqual([]);
    expect(await findingsOf(rule, 'CREATE TABLE t (a int);\nCREATE INDEX t_a ON t (a);\nDROP INDEX t_a;')).toEqual([]);
  });
});

describe('reindexing-non-concurrently', () => {
  const rule = 'reindexing-non-concurrently';
  it('reports REINDEX without CONCURRENTLY, with a version-aware fix', async () => {
    const [f] = await findingsOf(rule, 'REINDEX INDEX users_email;');
    expect(f.fix).toContain('REINDEX INDEX CONCURRENTLY users_email');
    const [old] = await findingsOf(rule, 'REINDEX TABLE users;', { pgVersion: 11 });
    expect(old.fix).toContain('Before PostgreSQL 12');
  });
  it('does not report REINDEX CONCURRENTLY', async () => {
    expect(await findingsOf(rule, 'REINDEX TABLE CONCURRENTLY users;')).toEqual([]);
    expect(await findingsOf(rule, 'REINDEX (CONCURRENTLY) INDEX users_email;')).toEqual([]);
  });
});

describe('concurrently-in-transaction', () => {
  const rule = 'concurrently-in-transaction';
  it('reports CONCURRENTLY inside BEGIN … COMMIT and inside DO blocks', async () => {
    const [f] = await findingsOf(rule, 'BEGIN;\nCREATE INDEX CONCURRENTLY i ON users (name);\nCOMMIT;');
    expect(f.message).toContain('CREATE INDEX CONCURRENTLY cannot run inside a transaction block');
    expect(f.start.line).toBe(2);
    const [d] = await findingsOf(rule, 'DO $$ BEGIN DROP INDEX CONCURRENTLY users_email; END $$;');
    expect(d.message).toContain('DO block');
  });
  it('reports VACUUM and version-dependent statements in a transaction', async () => {
    expect(await findingsOf(rule, 'BEGIN;\nVACUUM users;\nCOMMIT;')).toHaveLength(1);
    const addValue = "BEGIN;\nALTER TYPE mood ADD VALUE 'great';\nCOMMIT;";
    expect(await findingsOf(rule, addValue, { pgVersion: 11 })).toHaveLength(1);
    expect(await findingsOf(rule, addValue, { pgVersion: 12 })).toEqual([]);
  });
  it('treats the whole file as a transaction when the runner wraps it', async () => {
    const sql = 'CREATE INDEX CONCURRENTLY i ON users (name);';
    expect(await findingsOf(rule, sql)).toEqual([]);
    const [f] = await findingsOf(rule, sql, { fileTransaction: true });
    expect(f.message).toContain('the runner wraps this file in');
  });
  it('is quiet after COMMIT', async () => {
    expect(await findingsOf(rule, 'BEGIN;\nSELECT 1;\nCOMMIT;\nCREATE INDEX CONCURRENTLY i ON users (name);')).toEqual([]);
  });
});
