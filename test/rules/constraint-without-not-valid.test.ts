import { findingsOf } from './helpers';

const rule = 'constraint-without-not-valid';

describe(rule, () => {
  it('reports ADD CHECK and ADD FOREIGN KEY without NOT VALID', async () => {
    const check = await findingsOf(rule, 'ALTER TABLE users ADD CONSTRAINT score_pos CHECK (score > 0);');
    expect(check[0].message).toContain('CHECK constraint score_pos');
    expect(check[0].fix).toContain('NOT VALID;');
    const fk = await findingsOf(rule, 'ALTER TABLE users ADD CONSTRAINT users_org FOREIGN KEY (org_id) REFERENCES orgs (id);');
    expect(fk[0].message).toContain('against orgs');
    expect(fk[0].why).toContain('ShareRowExclusiveLock');
    expect(fk[0].fix).toContain('VALIDATE CONSTRAINT users_org');
  });

  it('reports inline CHECK, and inline REFERENCES on a column with a default', async () => {
    expect(await findingsOf(rule, 'ALTER TABLE users ADD COLUMN age int CHECK (age > 0);')).toHaveLength(1);
    expect(await findingsOf(rule, 'ALTER TABLE users ADD COLUMN org2 int DEFAULT 1 REFERENCES orgs (id);')).toHaveLength(1);
  });

  it('does not report NOT VALID, a new all-NULL column with REFERENCES, or a new table', async () => {
    expect(await findingsOf(rule, 'ALTER TABLE users ADD CONSTRAINT c CHECK (score > 0) NOT VALID;')).toEqual([]);
    expect(await findingsOf(rule, 'ALTER TABLE users ADD CONSTRAINT f FOREIGN KEY (org_id) REFERENCES orgs (id) NOT VALID;')).toEqual([]);
    expect(await findingsOf(rule, 'ALTER TABLE users ADD COLUMN org2 int REFERENCES orgs (id);')).toEqual([]);
    expect(await findingsOf(rule, 'CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0);')).toEqual([]);
  });

  it('honours suppressions', async () => {
    expect(await findingsOf(rule, '-- dbops-ignore: constraint-without-not-valid checked offline\nALTER TABLE users ADD CONSTRAINT c CHECK (score > 0);')).toEqual([]);
  });
});
