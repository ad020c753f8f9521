import { openSession } from '../../src/db/connect';
import { freePort } from '../../src/testing/cluster';
import { redactSecrets } from '../../src/db/redact';
import { DbopsError } from '../../src/core/errors';
import { EXIT } from '../../src/core/exit-codes';
import { useCluster } from '../harness/cluster';

describe('openSession', () => {
  const pg = useCluster();

  it('opens a read-only, named session', async () => {
    const s = await openSession({ url: pg().primary.url, applicationName: 'dbops test', readOnly: true });
    try {
      const { rows } = await s.client.query("SELECT current_setting('application_name') AS app, current_setting('transaction_read_only') AS ro");
      // Each statement runs in a read-only transaction (test/db/read-only-pooler.test.ts says why).
      expect(rows[0]).toEqual({ app: 'dbops test', ro: 'on' });
      await expect(s.client.query('CREATE TABLE nope (id int)')).rejects.toThrow(/read-only transaction/);
    } finally {
      await s.close();
    }
  });

  it('explains a dead server in one line without the password', async () => {
    const port = await freePort();
    const err = await openSession({ url: `postgres://u:hunter2@127.0.0.1:${port}/db`, applicationName: 't' }).catch((e) => e);
    expect(err).toBeInstanceOf(DbopsError);
    expect(err.exitCode).toBe(EXIT.database);
    expect(err.message).toBe(`cannot connect to 127.0.0.1:${port}/db: connection refused`);
    expect(err.message + err.hint).not.toContain('hunter2');
  });

  it('explains a wrong password without printing it', async () => {
    const url = pg().urlFor(pg().primary, { password: 'wrong-secret-pw' });
    const err = await openSession({ url, applicationName: 't' }).catch((e) => e);
    expect(err).toBeInstanceOf(DbopsError);
    expect(err.message).toMatch(/^password authentication failed connecting to 127\.0\.0\.1:\d+\/postgres$/);
    expect(`${err.message} ${err.hint}`).not.toContain('wrong-secret-pw');
  });
});

describe('redactSecrets', () => {
  it.each([
    ['postgres://app:s3cret@db:5432/x', 'postgres://app:***@db:5432/x'],
    ['error at postgresql://a:b%40c@h/d and more', 'error at postgresql://a:***@h/d and more'],
    ["host=h password='it\\'s' user=u", 'host=h password=*** user=u'],
    ['host=h password=plain user=u', 'host=h password=*** user=u'],
    ['postgres://nopass@h/d', 'postgres://nopass@h/d'],
  ])('%s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
  });
});
