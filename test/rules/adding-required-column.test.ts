import { findingsOf } from './helpers';

describe('adding-required-column', () => {
  const rule = 'adding-required-column';
  it('reports NOT NULL (or PRIMARY KEY) without a default on an existing table', async () => {
    const [f] = await findingsOf(rule, 'ALTER TABLE users ADD COLUMN tenant_id int NOT NULL;');
    expect(f.message).toBe('Adding NOT NULL column users.tenant_id without a default fails as soon as users has a row');
    expect(f.fix).toContain('ADD COLUMN tenant_id integer NOT NULL DEFAULT <value>;');
    expect(await findingsOf(rule, 'ALTER TABLE users ADD COLUMN k int PRIMARY KEY;')).toHaveLength(1);
  });
  it('does not report a default, serial/identity, a nullable column or a new table', async () => {
    for (const sql of [
      'ALTER TABLE users ADD COLUMN tenant_id int NOT NULL DEFAULT 0;',
      'ALTER TABLE users ADD COLUMN seq bigserial NOT NULL;',
      'ALTER TABLE users ADD COLUMN seq int GENERATED ALWAYS AS IDENTITY;',
      'ALTER TABLE users ADD COLUMN tenant_id int;',
      'CREATE TABLE t (a int);\nALTER TABLE t ADD COLUMN b int NOT NULL;',
    ]) {
      expect(await findingsOf(rule, sql)).toEqual([]);
    }
  });
});
