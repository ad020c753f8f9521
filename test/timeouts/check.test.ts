import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort } from '../../src/testing/cluster';
import { runCli } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { ROLE_PASSWORD } from './helpers';

describe('dbops timeouts check', () => {
  const pg = useCluster({ settings: { lock_timeout: '7s' } });
  const url = () => pg().primary.url;

  beforeAll(async () => {
    await pg().psql(pg().primary, 'CREATE DATABASE shop');
    await pg().psql(pg().primary, `
      CREATE ROLE app LOGIN PASSWORD '${ROLE_PASSWORD}';
      CREATE ROLE etl LOGIN PASSWORD '${ROLE_PASSWORD}';
      CREATE ROLE reporting LOGIN PASSWORD '${ROLE_PASSWORD}';
      CREATE ROLE nologin_group NOLOGIN;
      ALTER ROLE app SET idle_in_transaction_session_timeout = '30s';
      ALTER ROLE app IN DATABASE shop SET idle_in_transaction_session_timeout = 0;
      ALTER ROLE etl SET idle_in_transaction_session_timeout = '10min';
      ALTER DATABASE shop SET statement_timeout = '15s';
      ALTER DATABASE shop SET idle_in_transaction_session_timeout = '20s';
      ALTER ROLE nologin_group SET idle_in_transaction_session_timeout = 0;`);
  });

  const settingsOf = (json: any, role: string, database: string) =>
    json.roles.find((r: any) => r.role === role && r.database === database).settings;

  it('reports the effective value per role and database with the level that decides it', async () => {
    const res = await runCli(['timeouts', 'check', '--url', url(), '--format', 'json']);
    expect(res.stderr).toBe('');
    expect(res.code).toBe(0); // no policy given: report only
    const json = JSON.parse(res.stdout);
    expect(json.server.lock_timeout).toEqual({ ms: 7000, value: '7s', level: 'server' });
    expect(json.server.idle_in_transaction_session_timeout.ms).toBe(0);
    expect(settingsOf(json, 'app', 'postgres').idle_in_transaction_session_timeout).toEqual({ ms: 30000, value: '30s', level: 'role' });
    expect(settingsOf(json, 'app', 'shop').idle_in_transaction_session_timeout).toEqual({ ms: 0, value: 'off', level: 'role in database' });
    expect(settingsOf(json, 'etl', 'shop').idle_in_transaction_session_timeout).toEqual({ ms: 600000, value: '10min', level: 'role' });
    expect(settingsOf(json, 'reporting', 'shop').idle_in_transaction_session_timeout).toEqual({ ms: 20000, value: '20s', level: 'database' });
    expect(settingsOf(json, 'reporting', 'postgres').idle_in_transaction_session_timeout.level).toBe('server');
    expect(settingsOf(json, 'reporting', 'shop').statement_timeout).toEqual({ ms: 15000, value: '15s', level: 'database' });
    expect(settingsOf(json, 'app', 'shop').lock_timeout).toEqual({ ms: 7000, value: '7s', level: 'server' });
    expect(json.databases.find((d: any) => d.database === 'shop').settings.statement_timeout.ms).toBe(15000);
    // Only login roles, only connectable databases.
    expect(json.roles.map((r: any) => r.role)).not.toContain('nologin_group');
    expect(json.databases.map((d: any) => d.database).sort()).toEqual(['postgres', 'shop']);
  });

  it('flags every login role and database over the policy and exits 1', async () => {
    const res = await runCli(['timeouts', 'check', '--url', url(), '--max-idle-in-transaction', '60s', '--exempt-role', 'postgres', '--format', 'json']);
    expect(res.code).toBe(1);
    const json = JSON.parse(res.stdout);
    const found = json.violations.map((v: any) => `${v.role}@${v.database}:${v.actualMs}:${v.level}`).sort();
    expect(found).toEqual(['app@shop:0:role in database', 'etl@postgres:600000:role', 'etl@shop:600000:role', 'reporting@postgres:0:server']);
    expect(json.summary.violations).toBe(4);
  });

  it('reads the policy from dbops.config.json and prints a table', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-timeouts-'));
    fs.writeFileSync(
      path.join(dir, 'dbops.config.json'),
      JSON.stringify({ timeouts: { policy: { idleInTransaction: '15min', exemptRoles: ['postgres', 'reporting'] } } }),
    );
    const res = await runCli(['timeouts', 'check', '--url', url()], { cwd: dir });
    expect(res.code).toBe(1);
    expect(res.stdout).toContain('idle_in_transaction_session_timeout ≤ 15min; exempt: postgres, reporting');
    expect(res.stdout).toMatch(/1 violation\(s\):\n {2}role "app" in database "shop": idle_in_transaction_session_timeout is disabled \(0\), set at role in database level/);
    expect(res.stdout).toMatch(/app \[!\] .*│ shop .*│ off \(role\+db\)/);
    expect(res.stdout).toMatch(/reporting \[exempt\]/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('passes when every non-exempt login role meets the policy', async () => {
    const res = await runCli(['timeouts', 'check', '--url', url(), '--max-idle-in-transaction', '1h', '--exempt-role', 'postgres', '--exempt-role', 'reporting', '--exempt-role', 'app']);
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('OK: every login role meets the policy.');
  });

  it('rejects a bad duration with exit 2', async () => {
    const res = await runCli(['timeouts', 'check', '--url', url(), '--max-idle-in-transaction', 'soon']);
    expect(res.code).toBe(2);
    expect(res.stderr.trim()).toMatch(/^error: invalid --max-idle-in-transaction "soon" — /);
    expect(res.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('works for an ordinary role (the catalogs it reads are public)', async () => {
    const res = await runCli(['timeouts', 'check', '--url', pg().urlFor(pg().primary, { user: 'reporting', password: ROLE_PASSWORD }), '--format', 'json']);
    expect(res.code).toBe(0);
    expect(settingsOf(JSON.parse(res.stdout), 'etl', 'postgres').idle_in_transaction_session_timeout.ms).toBe(600000);
  });

  it('reads the server value from the configuration even when our own role overrides it', async () => {
    await pg().psql(pg().primary, "ALTER ROLE postgres SET lock_timeout = '3s'");
    try {
      const res = await runCli(['timeouts', 'check', '--url', url(), '--format', 'json']);
      const json = JSON.parse(res.stdout);
      expect(json.server.lock_timeout).toEqual({ ms: 7000, value: '7s', level: 'server' });
      expect(settingsOf(json, 'postgres', 'shop').lock_timeout).toEqual({ ms: 3000, value: '3s', level: 'role' });
    } finally {
      await pg().psql(pg().primary, 'ALTER ROLE postgres RESET lock_timeout');
    }
  });

  it('explains a dead server in one line (exit 3)', async () => {
    const port = await freePort();
    const res = await runCli(['timeouts', 'check', '--url', `postgres://postgres:secret-pw@127.0.0.1:${port}/postgres`]);
    expect(res.code).toBe(3);
    expect(res.stderr.trim()).toBe(`error: cannot connect to 127.0.0.1:${port}/postgres: connection refused — start the server or fix the host/port in --url or DATABASE_URL`);
  });
});
