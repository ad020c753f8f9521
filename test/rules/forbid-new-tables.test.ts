import { findingsOf } from './helpers';

const rule = 'forbid-new-tables';

describe(rule, () => {
  it('is off by default', async () => {
    expect(await findingsOf(rule, 'CREATE TABLE t (a int);')).toEqual([]);
  });

  it('reports new tables when switched on, with the configured reason', async () => {
    const found = await findingsOf(rule, 'CREATE TABLE t (a int);\nCREATE INDEX ON users (name);', {
      severities: { [rule]: 'error' },
      ruleOptions: { [rule]: { reason: 'this cluster is being retired' } },
    });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ severity: 'error', category: 'policy', message: 'Creating table t: this cluster does not accept new tables' });
    expect(found[0].why).toContain('this cluster is being retired');
  });
});
