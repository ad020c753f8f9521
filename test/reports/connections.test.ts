import { Client } from 'pg';
import { useCluster } from '../harness/cluster';
import { connectionsTable, type ConnectionsReport } from '../../src/reports/connections/render';
import { runCli } from '../harness/cli';
import { freePort, waitFor } from '../../src/testing/cluster';
import { byName, runJson } from './helpers';
import { collectConnections } from '../../src/reports/connections/collect';
import { resolveTopology } from '../../src/replication/topology';

describe('dbops report connections', () => {
  const pg = useCluster({ standbys: true, pgbouncer: true });
  const clients: Client[] = [];

  async function open(url: string, application: string): Promise<Client> {
    const c = new Client({ connectionString: url, application_name: application });
    c.on('error', () => undefined);
    await c.connect();
    clients.push(c);
    return c;
  }

  /** Ends the test's sessions, and PgBouncer's pooled server connections with them, so the next counts start from 0. */
  async function closeAll(): Promise<void> {
    const others = "FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()";
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
    for (const node of [pg().primary, pg().standby!]) {
      await pg().psql(node, `SELECT count(pg_terminate_backend(pid)) ${others}`);
      await waitFor(async () => (await pg().psql(node, `SELECT count(*) ${others}`)) === '0', 20_000, `no client sessions left on ${node.name}`);
    }
  }

  beforeAll(async () => {
    await pg().psql(pg().primary, "CREATE ROLE dbops_app LOGIN PASSWORD 'app-password'");
  });
  afterEach(closeAll);

  const nodeArgs = () => ['--primary', pg().primary.url, '--replica', `standby1=${pg().standby!.url}`];

  it('counts client backends by state, application, user and address against the effective limit', async () => {
    const c = pg();
    const app = c.urlFor(c.primary, { user: 'dbops_app', password: 'app-password' });
    for (let i = 0; i < 3; i++) await open(c.primary.url, 'app-idle');
    for (let i = 0; i < 2; i++) await (await open(app, 'app-tx')).query('BEGIN; SELECT 1');
    const aborted = await open(c.primary.url, 'app-aborted');
    await aborted.query('BEGIN');
    await aborted.query('SELECT 1/0').catch(() => undefined);
    (await open(c.primary.url, 'app-active')).query('SELECT pg_sleep(60)').catch(() => undefined);
    await open(c.standby!.url, 'app-idle');

    let json: any;
    await waitFor(async () => {
      json = (await runJson(['report', 'connections', ...nodeArgs()])).json;
      return byName(json.nodes, 'primary').byState.active === 1;
    }, 20_000, 'the pg_sleep session active');
    expect(json.status).toBe('OK');
    const primary = byName(json.nodes, 'primary');
    expect(primary).toMatchObject({
      role: 'primary',
      maxConnections: 100,
      superuserReserved: 3,
      reserved: null,
      effectiveLimit: 97,
      used: 7,
      usagePercent: 7.2,
      byState: { active: 1, idle: 3, 'idle in transaction': 2, 'idle in transaction (aborted)': 1 },
      byApplication: [
        { name: 'app-idle', count: 3 },
        { name: 'app-tx', count: 2 },
        { name: 'app-aborted', count: 1 },
        { name: 'app-active', count: 1 },
      ],
      byUser: [{ name: 'postgres', count: 5 }, { name: 'dbops_app', count: 2 }],
      byClientAddr: [{ name: '127.0.0.1', count: 7 }],
    });
    expect(primary.oldestIdleInTransaction).toMatchObject({ application: 'app-tx', user: 'dbops_app', state: 'idle in transaction' });
    expect(primary.oldestTransaction).toMatchObject({ application: 'app-tx' });
    expect(byName(json.nodes, 'standby1')).toMatchObject({ role: 'standby', used: 1, byApplication: [{ name: 'app-idle', count: 1 }] });
    expect(json.sharedApplications).toEqual([{ application: 'app-idle', nodes: ['primary', 'standby1'] }]);

    const table = await runCli(['report', 'connections', ...nodeArgs()]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/│ primary +│ primary +│ +7 │ +97 │ +7\.2% │ +1 │ +3 │ +2 │ +1 │/);
    expect(table.stdout).toContain('primary: applications app-idle 3 (43%), app-tx 2 (29%), app-aborted 1 (14%), app-active 1 (14%)');
    expect(table.stdout).toContain('primary: 4 applications share it');
    expect(table.stdout).toContain('app-idle runs on primary, standby1');

    // Thresholds: a percentage of the effective limit, or a number of connections.
    expect((await runCli(['report', 'connections', ...nodeArgs(), '--limit', '8'])).code).toBe(1);
    const critical = await runCli(['report', 'connections', ...nodeArgs(), '--critical', '7']);
    expect(critical.code).toBe(2);
    expect(critical.stdout).toContain('7 of 97 (7.2%) ≥ 7 connections');
    expect((await runCli(['report', 'connections', ...nodeArgs(), '--warn', '7%', '--critical', '50%'])).code).toBe(1);
    expect((await runCli(['report', 'connections', ...nodeArgs(), '--warn', '8%'])).code).toBe(0);

    const prom = await runCli(['report', 'connections', ...nodeArgs(), '--format', 'prometheus']);
    expect(prom.stdout).toContain('dbops_connections_used{node="primary"} 7');
    expect(prom.stdout).toContain('dbops_connections_limit{node="primary"} 97');
    expect(prom.stdout).toContain('dbops_connections_state{node="primary",state="idle in transaction (aborted)"} 1');
    expect(prom.stdout).toContain('dbops_connections_application{node="primary",application="app-idle"} 3');
    expect(prom.stdout).toContain('dbops_report_status{report="connections"} 0');
  });

  it('shows PgBouncer pools and warns when clients wait on an exhausted pool', async () => {
    const c = pg();
    for (let i = 0; i < 5; i++) await (await open(c.pgbouncer!.url, 'bouncer-hold')).query('BEGIN; SELECT 1');
    const waiting = [];
    for (let i = 0; i < 2; i++) waiting.push((await open(c.pgbouncer!.url, 'bouncer-wait')).query('SELECT 1'));

    const args = ['report', 'connections', '--primary', c.primary.url, '--pgbouncer', c.pgbouncer!.adminUrl];
    let result: { result: { code: number }; json: any } | undefined;
    await waitFor(async () => {
      result = await runJson(args);
      return result.json.pgbouncers[0]?.pools[0]?.clientsWaiting === 2;
    }, 20_000, 'two clients waiting in pgbouncer');
    const { json } = result!;
    expect(result!.result.code).toBe(1);
    expect(json.pgbouncers[0]).toMatchObject({ reachable: true, status: 'WARNING' });
    expect(json.pgbouncers[0].pools).toEqual([
      expect.objectContaining({ database: 'postgres', user: 'postgres', poolMode: 'transaction', clientsActive: 5, clientsWaiting: 2, serversActive: 5, status: 'WARNING' }),
    ]);
    expect(json.pgbouncers[0].pools[0].reasons).toEqual([expect.stringMatching(/^2 clients waiting \(longest [\d.]+ s\)$/)]);
    // The pooled server connections carry the clients' application_name to PostgreSQL.
    expect(byName(json.nodes, 'primary')).toMatchObject({ used: 5, byApplication: [{ name: 'bouncer-hold', count: 5 }], byState: { 'idle in transaction': 5 } });

    const table = await runCli(args);
    expect(table.stdout).toMatch(/│ 127\.0\.0\.1:\d+ +│ postgres +│ postgres +│ transaction +│ +5 │ +2 │ +5 │ +0 │ +0 │/);
    const prom = await runCli([...args, '--format', 'prometheus']);
    expect(prom.stdout).toMatch(/dbops_pgbouncer_clients_waiting\{pgbouncer="127\.0\.0\.1:\d+",database="postgres",user="postgres",pool_mode="transaction"\} 2/);

    await Promise.all(clients.slice(0, 5).map((h) => h.query('COMMIT')));
    await Promise.all(waiting);
    await waitFor(async () => (await runJson(args)).json.pgbouncers[0].pools[0].clientsWaiting === 0, 20_000, 'queue drained');
    expect((await runCli(args)).code).toBe(0);
  });

  it('reports an unreachable node and a wrong password per row (UNKNOWN), never printing the password', async () => {
    const c = pg();
    const secret = 'Wr0ng-secret-here';
    const port = await freePort();
    const args = [
      'report', 'connections', '--primary', c.primary.url,
      '--replica', `standby1=${c.urlFor(c.standby!, { password: secret })}`,
      '--replica', `gone=postgres://postgres:${secret}@127.0.0.1:${port}/postgres`,
      '--pgbouncer', `pool=${c.urlFor(c.pgbouncer!, { password: secret, database: 'pgbouncer' })}`,
      '--connect-timeout', '2s',
    ];
    for (const format of ['table', 'json', 'prometheus']) {
      const result = await runCli([...args, '--format', format]);
      expect(result.code).toBe(3);
      expect(result.stdout + result.stderr).not.toContain(secret);
    }
    const { json } = await runJson(args);
    expect(byName(json.nodes, 'primary')).toMatchObject({ reachable: true, status: 'OK' });
    expect(byName(json.nodes, 'standby1')).toMatchObject({ reachable: false, status: 'UNKNOWN', error: expect.stringMatching(/^password authentication failed connecting to 127\.0\.0\.1:\d+\/postgres$/) });
    expect(byName(json.nodes, 'gone')).toMatchObject({ reachable: false, status: 'UNKNOWN', error: `cannot connect to 127.0.0.1:${port}/postgres: connection refused` });
    expect(json.pgbouncers[0]).toMatchObject({ name: 'pool', reachable: false, status: 'UNKNOWN', error: expect.stringMatching(/^password authentication failed connecting to 127\.0\.0\.1:\d+\/pgbouncer$/) });
  });

  it('labels a cascading standby as such, with its upstream (issue #17 item 14)', async () => {
    const c = pg();
    const args = ['report', 'connections', ...nodeArgs(), '--replica', `cascade1=${c.cascade!.url}`];
    const { json } = await runJson(args);
    expect(byName(json.nodes, 'primary')).toMatchObject({ role: 'primary', upstream: null });
    expect(byName(json.nodes, 'standby1')).toMatchObject({ role: 'standby', upstream: 'primary' });
    expect(byName(json.nodes, 'cascade1')).toMatchObject({ role: 'cascading standby', upstream: 'standby1' });
    const table = await runCli(args);
    expect(table.stdout).toMatch(/│ cascade1 +│ cascading standby of standby1 +│/);
  });

  it('sends one statement per node: limits, client backends and WAL sender in one round trip (#15)', async () => {
    const c = pg();
    const topology = resolveTopology({ primary: c.primary.url, replicas: [`standby1=${c.standby!.url}`, `cascade1=${c.cascade!.url}`] });
    const query = jest.spyOn(Client.prototype, 'query');
    try {
      const snapshot = await collectConnections(topology);
      expect(snapshot.nodes.map((n) => [n.name, n.reachable, n.upstream])).toEqual([['primary', true, null], ['standby1', true, 'primary'], ['cascade1', true, 'standby1']]);
      expect(query).toHaveBeenCalledTimes(3);
    } finally {
      query.mockRestore();
    }
  });

  it('warns when the node given as --primary is a standby (after a failover?)', async () => {
    const { result, json } = await runJson(['report', 'connections', '--primary', pg().standby!.url]);
    expect(result.code).toBe(1);
    expect(byName(json.nodes, 'primary')).toMatchObject({ role: 'standby', status: 'WARNING' });
    expect(byName(json.nodes, 'primary').reasons).toContain('given as the primary, but it is a standby (in recovery): has there been a failover?');
  });

  it('says so when --pgbouncer points at PostgreSQL (or a pool database) instead of the admin console', async () => {
    const c = pg();
    const { result, json } = await runJson(['report', 'connections', '--pgbouncer', `pg=${c.primary.url}`, '--pgbouncer', `pool=${c.pgbouncer!.url}`]);
    expect(result.code).toBe(3);
    for (const b of json.pgbouncers) {
      expect(b).toMatchObject({ reachable: false, status: 'UNKNOWN' });
      expect(b.error).toMatch(/^127\.0\.0\.1:\d+\/postgres: this is not a PgBouncer admin console \(SHOW POOLS is unknown here\); connect to PgBouncer's port, database "pgbouncer"$/);
    }
  });

  it('a PgBouncer with no pools yet is a row saying so, not an empty table', () => {
    const report: ConnectionsReport = {
      generatedAt: new Date(0), status: 'OK', thresholds: { warn: { percent: 80 }, critical: { percent: 95 } }, limit: 5000, nodes: [], sharedApplications: [],
      pgbouncers: [{ name: 'pool1', label: '127.0.0.1:6432/pgbouncer', reachable: true, pools: [], status: 'OK', reasons: [] }],
    };
    expect(connectionsTable(report, 10)).toMatch(/│ pool1 +│ \(no pools\) .*│ OK +│ no client has connected through it yet │/);
  });

  it('rejects bad thresholds with UNKNOWN (3)', async () => {
    for (const args of [['--warn', 'lots'], ['--limit', '0'], ['--top', 'x'], ['--pgbouncer', '']]) {
      const result = await runCli(['report', 'connections', '--primary', pg().primary.url, ...args]);
      expect(result.code).toBe(3);
      expect(result.stderr).toMatch(/^error: .*\n$/);
    }
  });
});
