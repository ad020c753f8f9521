import { findingsOf } from './helpers';

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
