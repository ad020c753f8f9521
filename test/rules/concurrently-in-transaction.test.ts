import { findingsOf } from './helpers';

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
