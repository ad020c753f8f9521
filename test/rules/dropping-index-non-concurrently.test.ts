import { findingsOf } from './helpers';

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
