import { findingsOf } from './helpers';

const rule = 'adding-unique-constraint';

describe(rule, () => {
  it('reports ADD UNIQUE / PRIMARY KEY that builds an index, with the USING INDEX recipe', async () => {
    const [f] = await findingsOf(rule, 'ALTER TABLE users ADD CONSTRAINT users_email_key UNIQUE (email);');
    expect(f).toMatchObject({ severity: 'error', category: 'index-build' });
    expect(f.fix).toContain('CREATE UNIQUE INDEX CONCURRENTLY users_email_key ON users (email);');
    expect(f.fix).toContain('UNIQUE USING INDEX users_email_key');
    expect(await findingsOf(rule, 'ALTER TABLE orgs ADD PRIMARY KEY (id);')).toHaveLength(1);
    expect(await findingsOf(rule, 'ALTER TABLE users ADD COLUMN handle text UNIQUE;')).toHaveLength(1);
  });

  it('does not report USING INDEX or new tables', async () => {
    expect(await findingsOf(rule, 'ALTER TABLE users ADD CONSTRAINT k UNIQUE USING INDEX users_email_key;')).toEqual([]);
    expect(await findingsOf(rule, 'CREATE TABLE t (a int);\nALTER TABLE t ADD PRIMARY KEY (a);')).toEqual([]);
  });
});
