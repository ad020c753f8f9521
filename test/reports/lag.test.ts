import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { useCluster } from '../harness/cluster';
import { runCli, DBOPS_BIN, REPO_ROOT } from '../harness/cli';
import { freePort, waitFor } from '../../src/testing/cluster';
import { collectLag, worstLag, type NodeLag } from '../../src/replication/lag/collect';
import { resolveTopology } from '../../src/replication/topology';
import { onNode } from '../../src/replication/node-session';
import { byName, fullTopology, runJson, topologyArgs } from './helpers';

describe('dbops report lag', () => {
  const pg = useCluster({ standbys: true, pgbouncer: true });
  let table = 0;

  /** Writes on the primary: a new table each time, so the WAL position always moves. */
  async function writeOnPrimary(): Promise<void> {
    table++;
    await pg().psql(pg().primary, `CREATE TABLE lag_t${table} AS SELECT g FROM generate_series(1, 5000) g`);
  }

  async function lagOf(name: string): Promise<NodeLag> {
    return byName(await collectLag(fullTopology(pg())), name);
  }

  /**
   * Runs `check` while `name`'s WAL receiver is stopped (primary_conninfo emptied), after a write
   * on the primary; then restores it and waits until the whole tree has caught up again.
   */
  async function withoutWalReceiver(name: 'standby1' | 'cascade1', check: () => Promise<void>): Promise<void> {
    const node = name === 'standby1' ? pg().standby! : pg().cascade!;
    await pg().psql(node, "ALTER SYSTEM SET primary_conninfo = ''");
    await pg().psql(node, 'SELECT pg_reload_conf()');
    try {
      await waitFor(async () => (await lagOf(name)).state === 'disconnected', 20_000, `${name} disconnected`);
      await writeOnPrimary();
      await check();
    } finally {
      await pg().psql(node, 'ALTER SYSTEM RESET primary_conninfo');
      await pg().psql(node, 'SELECT pg_reload_conf()');
    }
    await waitFor(async () => (await collectLag(fullTopology(pg()))).every((n) => n.connected && n.bytesBehind === 0), 30_000, `${name} streaming and caught up again`);
  }

  async function caughtUp(): Promise<void> {
    await waitFor(async () => {
      const nodes = await collectLag(fullTopology(pg()));
      return nodes.every((n) => n.bytesBehind === 0 && n.connected);
    }, 20_000, 'every standby caught up');
  }

  it('builds the tree, cascade included, and reads each node in a read-only session named "dbops report"', async () => {
    const nodes = await collectLag(fullTopology(pg()));
    expect(nodes.map((n) => [n.name, n.role, n.upstream, n.state, n.reachable])).toEqual([
      ['primary', 'primary', null, 'primary', true],
      ['standby1', 'standby', 'primary', 'streaming', true],
      ['cascade1', 'cascading standby', 'standby1', 'streaming', true],
    ]);
    const settings = await onNode(fullTopology(pg()).primary!, 'postgres', {}, async (session) =>
      (await session.client.query("SELECT current_setting('application_name') AS app, current_setting('default_transaction_read_only') AS ro")).rows[0],
    );
    expect(settings).toEqual({ ok: true, value: { app: 'dbops report', ro: 'on' } });
  });

  it('shows no false lag on an idle primary, even long after the last replayed commit', async () => {
    await writeOnPrimary();
    await caughtUp();
    const committedAt = Date.now();
    // Idle long enough that now() - pg_last_xact_replay_timestamp() is clearly non-zero.
    await waitFor(async () => Date.now() - committedAt > 2500, 10_000, 'the primary idle for 2.5 s');
    const nodes = await collectLag(fullTopology(pg()));
    for (const name of ['standby1', 'cascade1']) {
      const n = byName(nodes, name);
      expect(n.bytesBehind).toBe(0);
      expect(n.replayLagSeconds).toBe(0);
      expect(n.lastReplay).not.toBeNull();
      expect(Date.now() - Date.parse(n.lastReplay!)).toBeGreaterThan(2000);
    }
    const { result, json } = await runJson(['report', 'lag', ...topologyArgs(pg()), '--warn', '1s', '--critical', '2s']);
    expect(result.code).toBe(0);
    expect(json.status).toBe('OK');
    expect(json.nodes.map((n: NodeLag) => n.replayLagSeconds)).toEqual([null, 0, 0]);
  });

  it.each([
    ['standby1', () => 'standby' as const, 'cascade1'],
    ['cascade1', () => 'cascade' as const, 'standby1'],
  ])('shows %s behind in bytes and seconds while its replay is paused, then back to 0', async (paused, which, other) => {
    const node = pg()[which()]!;
    await pg().psql(node, 'SELECT pg_wal_replay_pause()');
    try {
      await writeOnPrimary();
      await waitFor(async () => {
        const n = await lagOf(paused);
        return (n.bytesBehind ?? 0) > 0 && (n.replayLagSeconds ?? 0) >= 1;
      }, 20_000, `${paused} lagging by ≥ 1 s`);
      const nodes = await collectLag(fullTopology(pg()));
      const lagging = byName(nodes, paused);
      expect(lagging.replayPaused).toBe(true);
      expect(lagging.state).toBe('streaming');
      // The other standby keeps up: pausing standby1 does not delay the cascade, which gets forwarded WAL.
      expect(byName(nodes, other).bytesBehind).toBe(0);

      const args = ['report', 'lag', ...topologyArgs(pg())];
      expect((await runCli([...args, '--warn', '1s', '--critical', '1h'])).code).toBe(1);
      expect((await runCli([...args, '--warn', '1h', '--critical', '1h', '--warn-bytes', '1', '--critical-bytes', '1GB'])).code).toBe(1);
      const critical = await runCli([...args, '--warn', '1h', '--critical', '1h', '--critical-bytes', '1kB']);
      expect(critical.code).toBe(2);
      expect(critical.stdout).toMatch(new RegExp(`${paused}.*CRITICAL`));
      expect(critical.stdout).toMatch(/replication lag: CRITICAL/);
      const coloured = await runCli([...args, '--warn', '1h', '--critical', '1h', '--critical-bytes', '1kB'], { env: { NO_COLOR: undefined, FORCE_COLOR: '1' } });
      expect(coloured.stdout).toContain('\x1b[31m\x1b[1mCRITICAL');
      expect(coloured.stdout).toContain('\x1b[32mOK');
      // Paused replay is flagged on its own, below every threshold (#15).
      const pausedOnly = await runJson([...args, '--warn', '1h', '--critical', '1h']);
      expect(pausedOnly.result.code).toBe(1);
      expect(byName(pausedOnly.json.nodes, paused)).toMatchObject({ status: 'WARNING', reasons: ['replay paused (pg_wal_replay_pause())'] });
    } finally {
      await pg().psql(node, 'SELECT pg_wal_replay_resume()');
    }
    await waitFor(async () => {
      const n = await lagOf(paused);
      return n.bytesBehind === 0 && n.replayLagSeconds === 0 && n.replayPaused === false;
    }, 20_000, `${paused} caught up`);
    expect((await runCli(['report', 'lag', ...topologyArgs(pg()), '--warn', '1s', '--warn-bytes', '1'])).code).toBe(0);
  });

  it('discovers direct standbys from the primary alone', async () => {
    const { result, json } = await runJson(['report', 'lag', '--primary', pg().primary.url]);
    expect(result.code).toBe(0);
    expect(json.nodes.map((n: NodeLag) => [n.name, n.role, n.upstream, n.discovered, n.reachable, n.bytesBehind])).toEqual([
      ['primary', 'primary', null, false, true, 0],
      ['standby1', 'standby', 'primary', true, false, 0],
    ]);
  });

  it('reads the topology from dbops.config.json', async () => {
    fs.mkdirSync(path.join(REPO_ROOT, '.tmp'), { recursive: true });
    const dir = fs.mkdtempSync(path.join(REPO_ROOT, '.tmp', 'lag-config-'));
    try {
      const c = pg();
      fs.writeFileSync(path.join(dir, 'dbops.config.json'), JSON.stringify({
        topology: { primary: c.primary.url, replicas: [{ name: 'standby1', url: c.standby!.url }, { name: 'cascade1', url: c.cascade!.url }] },
      }));
      const result = await runCli(['report', 'lag', '--format', 'json'], { cwd: dir });
      expect(result.code).toBe(0);
      expect(JSON.parse(result.stdout).nodes.map((n: NodeLag) => n.name)).toEqual(['primary', 'standby1', 'cascade1']);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('renders the prometheus text exposition', async () => {
    const result = await runCli(['report', 'lag', ...topologyArgs(pg()), '--format', 'prometheus']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('# TYPE dbops_replication_lag_bytes gauge');
    expect(result.stdout).toContain('dbops_replication_lag_bytes{node="cascade1",role="cascading standby",upstream="standby1"} 0');
    expect(result.stdout).toContain('dbops_replication_replay_lag_seconds{node="standby1",role="standby",upstream="primary"} 0');
    expect(result.stdout).toContain('dbops_report_status{report="lag"} 0');
    // The primary has no replay lag: the sample is left out, not faked as 0.
    expect(result.stdout).not.toMatch(/dbops_replication_replay_lag_seconds\{node="primary"/);
  });

  it('reports an unreachable node as UNKNOWN and still reports the others', async () => {
    const port = await freePort();
    const result = await runCli(['report', 'lag', ...topologyArgs(pg()), '--replica', `ghost=postgres://postgres:pw@127.0.0.1:${port}/postgres`, '--connect-timeout', '2s']);
    expect(result.code).toBe(3);
    expect(result.stdout).toMatch(new RegExp(`ghost .*unreachable.*UNKNOWN.*cannot connect to 127\\.0\\.0\\.1:${port}/postgres: connection refused`));
    expect(result.stdout).toMatch(/cascade1 .*streaming.*OK/);
    expect(result.stderr).toBe('');
  });

  it('gives up on a node that accepts but never answers after its own connect timeout, in parallel with the others', async () => {
    const sockets: net.Socket[] = [];
    const blackhole = net.createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => blackhole.listen(0, '127.0.0.1', resolve));
    const { port } = blackhole.address() as net.AddressInfo;
    try {
      const started = Date.now();
      const { result, json } = await runJson(['report', 'lag', ...topologyArgs(pg()), '--replica', `silent=postgres://postgres:pw@127.0.0.1:${port}/postgres`, '--connect-timeout', '1s']);
      expect(result.code).toBe(3);
      expect(byName(json.nodes, 'silent')).toMatchObject({ state: 'unreachable', error: `cannot connect to 127.0.0.1:${port}/postgres: timed out` });
      expect(byName(json.nodes, 'cascade1')).toMatchObject({ state: 'streaming', status: 'OK' });
      // CLI start-up plus one 1 s timeout, not one timeout per node in turn.
      expect(Date.now() - started).toBeLessThan(8000);
    } finally {
      sockets.forEach((s) => s.destroy());
      blackhole.close();
    }
  });

  it('explains a wrong password in the row and never prints the password, in any format', async () => {
    const secret = 'not-the-Pa55word';
    const bad = pg().urlFor(pg().standby!, { password: secret });
    for (const format of ['table', 'json', 'prometheus']) {
      const result = await runCli(['report', 'lag', '--primary', pg().primary.url, '--replica', `standby1=${bad}`, '--format', format]);
      expect(result.code).toBe(3);
      expect(result.stdout + result.stderr).not.toContain(secret);
      if (format !== 'prometheus') expect(result.stdout).toMatch(/password authentication failed connecting to 127\.0\.0\.1:\d+\/postgres/);
    }
    // The primary still sees standby1 streaming: that view fills the row.
    const { json } = await runJson(['report', 'lag', '--primary', pg().primary.url, '--replica', `standby1=${bad}`]);
    expect(byName(json.nodes, 'standby1')).toMatchObject({ state: 'unreachable', reachable: false, bytesBehind: 0, status: 'UNKNOWN' });
    const debug = await runCli(['report', 'lag', '--primary', pg().primary.url, '--replica', `standby1=${bad}`, '--debug']);
    expect(debug.stdout + debug.stderr).not.toContain(secret);
  });

  it('works for a pg_monitor role and says what to grant to a role without it', async () => {
    const c = pg();
    await c.psql(c.primary, "CREATE ROLE lag_monitor LOGIN PASSWORD 'mon-pw' IN ROLE pg_monitor; CREATE ROLE lag_plain LOGIN PASSWORD 'plain-pw'");
    await waitFor(async () => (await c.psql(c.cascade!, "SELECT count(*) FROM pg_roles WHERE rolname = 'lag_plain'")) === '1', 20_000, 'roles replicated');
    const as = (user: string, password: string) => [
      '--primary', c.urlFor(c.primary, { user, password }),
      '--replica', `standby1=${c.urlFor(c.standby!, { user, password })}`,
      '--replica', `cascade1=${c.urlFor(c.cascade!, { user, password })}`,
    ];
    const monitor = await runJson(['report', 'lag', ...as('lag_monitor', 'mon-pw')]);
    expect(monitor.result.code).toBe(0);
    expect(monitor.json.nodes.map((n: NodeLag) => n.state)).toEqual(['primary', 'streaming', 'streaming']);
    // Without pg_read_all_stats the WAL receiver looks absent: that must not read as "disconnected".
    const plain = await runJson(['report', 'lag', ...as('lag_plain', 'plain-pw')]);
    expect(plain.result.code).toBe(3);
    expect(byName(plain.json.nodes, 'standby1').error).toMatch(/role "lag_plain" cannot read replication and session statistics \(GRANT pg_monitor TO "lag_plain"\)$/);
    expect(plain.json.nodes.every((n: NodeLag) => n.state !== 'disconnected')).toBe(true);
  });

  it('rejects bad flags with UNKNOWN (3) and a one-line error', async () => {
    for (const args of [['--warn', 'soon'], ['--critical-bytes', '12XB'], ['--replica', 'no-equals-sign'], ['--format', 'xml'], ['--warn', '10s', '--critical', '5s'], ['--nope']]) {
      const result = await runCli(['report', 'lag', '--primary', pg().primary.url, ...args]);
      expect(result.code).toBe(3);
      expect(result.stderr.trim().split('\n')).toHaveLength(1);
      expect(result.stderr).toMatch(/^error: /);
    }
  });

  it('--watch redraws until SIGINT and exits cleanly', async () => {
    const child = spawn(process.execPath, [DBOPS_BIN, 'report', 'lag', ...topologyArgs(pg()), '--watch', '200ms'], {
      cwd: REPO_ROOT,
      env: { ...process.env, NO_COLOR: '1' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await waitFor(async () => (stdout.match(/replication lag: OK/g) ?? []).length >= 3, 20_000, 'three redraws');
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(stderr).toBe('');
  });

  it('summarises the worst lag for throttles', async () => {
    const worst = worstLag(await collectLag(fullTopology(pg())));
    expect(worst).toEqual({ bytesBehind: 0, replayLagSeconds: 0, unknown: [] });
  });

  it('warns when --primary is a standby (after a failover) and is CRITICAL when two nodes are primaries', async () => {
    const c = pg();
    const demoted = await runJson(['report', 'lag', '--primary', c.standby!.url]);
    expect(demoted.result.code).toBe(1);
    expect(byName(demoted.json.nodes, 'primary')).toMatchObject({ role: 'standby', status: 'WARNING' });
    expect(byName(demoted.json.nodes, 'primary').reasons).toContain('given as the primary, but it is a standby (in recovery): has there been a failover?');

    const two = await runJson(['report', 'lag', '--primary', c.primary.url, '--replica', `replica9=${c.primary.url}`]);
    expect(two.result.code).toBe(2);
    for (const name of ['primary', 'replica9']) {
      expect(byName(two.json.nodes, name)).toMatchObject({ role: 'primary', status: 'CRITICAL' });
      expect(byName(two.json.nodes, name).reasons).toContain('2 nodes are primaries (not in recovery): primary, replica9 — split brain, or the same server given twice');
    }
  });

  it('shows a standby without a WAL receiver as disconnected, not 0 behind (CRITICAL)', async () => {
    await withoutWalReceiver('cascade1', async () => {
      // Thresholds out of reach: on a slow machine the last replayed commit can be older than the default 30 s.
      const { result, json } = await runJson(['report', 'lag', ...topologyArgs(pg()), '--warn', '1h', '--critical', '2h']);
      expect(result.code).toBe(2);
      const row = byName(json.nodes, 'cascade1');
      expect(row).toMatchObject({ state: 'disconnected', connected: false, lastHeardSecondsAgo: null, status: 'CRITICAL' });
      // Compared with the primary, not with its own received position (which would say "0 behind").
      expect(row.bytesBehind).toBeGreaterThan(0);
      expect(row.reasons).toEqual([expect.stringMatching(/^disconnected: no WAL receiver running \(last replayed commit [\d.]+ s ago\)$/)]);
      expect(worstLag(json.nodes).unknown).toEqual(['cascade1']);
    });
  });

  it('a cascade fed by a disconnected standby is not OK: it streams, but no new WAL reaches it', async () => {
    await withoutWalReceiver('standby1', async () => {
      const { result, json } = await runJson(['report', 'lag', ...topologyArgs(pg())]);
      expect(result.code).toBe(2);
      expect(byName(json.nodes, 'standby1')).toMatchObject({ state: 'disconnected', status: 'CRITICAL' });
      const cascade = byName(json.nodes, 'cascade1');
      expect(cascade).toMatchObject({ state: 'streaming', upstream: 'standby1', status: 'WARNING' });
      expect(cascade.reasons).toContain('upstream standby1 is disconnected: no new WAL reaches this node');
    });
  });

  it('a stopped standby is UNKNOWN and its cascade is disconnected, saying when it last heard from upstream', async () => {
    await pg().stopNode(pg().standby!);
    try {
      await waitFor(async () => (await lagOf('cascade1')).state === 'disconnected', 20_000, 'cascade1 disconnected');
      const { result, json } = await runJson(['report', 'lag', ...topologyArgs(pg()), '--connect-timeout', '2s']);
      expect(byName(json.nodes, 'standby1')).toMatchObject({ state: 'unreachable', status: 'UNKNOWN' });
      const cascade = byName(json.nodes, 'cascade1');
      expect(cascade).toMatchObject({ state: 'disconnected', status: 'CRITICAL' });
      expect(cascade.reasons.join()).toMatch(/^disconnected: (last heard from upstream [\d.]+ s ago|no WAL receiver running)/);
      // CRITICAL outranks UNKNOWN: the cascade is the page-worthy fact.
      expect(result.code).toBe(2);
      expect(byName(json.nodes, 'primary').status).toBe('OK');
    } finally {
      await pg().startNode(pg().standby!);
    }
    await waitFor(async () => (await collectLag(fullTopology(pg()))).every((n) => n.connected), 30_000, 'standby1 and cascade1 back');
  });
});

describe('resolveTopology', () => {
  it('needs NAME=URL for replicas and unique names', () => {
    expect(() => resolveTopology({ replicas: ['postgres://h/db'] })).toThrow(/--replica needs NAME=URL/);
    expect(() => resolveTopology({ primary: 'postgres://h/db', replicas: ['primary=postgres://h2/db'] })).toThrow(/used twice/);
  });

  it('does not take a bare conninfo for NAME=URL (its first keyword is not a node name)', () => {
    for (const conninfo of ['host=10.0.0.2 port=5433 password=hunter2', 'port=5433 host=db2']) {
      expect(() => resolveTopology({ primary: 'postgres://h/db', replicas: [conninfo] })).toThrow(/--replica needs NAME=URL/);
      expect(() => resolveTopology({ primary: 'postgres://h/db', replicas: [conninfo] })).not.toThrow(/hunter2/);
    }
    expect(resolveTopology({ primary: 'postgres://h/db', replicas: ['host=host=db2 port=5433'] }).replicas[0]).toMatchObject({ name: 'host', label: 'db2:5433/postgres' });
    expect(resolveTopology({ primary: 'postgres://h/db', replicas: ['replica2=host=db2 port=5433'] }).replicas[0]).toMatchObject({ name: 'replica2', label: 'db2:5433/postgres' });
  });

  it('never echoes a password in its errors', () => {
    expect(() => resolveTopology({ replicas: ['postgres://u:topsecret@h/db'] })).toThrow(expect.objectContaining({ message: expect.not.stringContaining('topsecret') }));
  });

  it('falls back to the PG* variables as the primary, as documented, when no URL is set anywhere', () => {
    const saved = { DATABASE_URL: process.env.DATABASE_URL, PGHOST: process.env.PGHOST, PGPORT: process.env.PGPORT, PGDATABASE: process.env.PGDATABASE };
    delete process.env.DATABASE_URL;
    process.env.PGHOST = 'db.internal';
    process.env.PGPORT = '6543';
    process.env.PGDATABASE = 'app';
    try {
      const t = resolveTopology({}, {});
      expect(t.primary).toMatchObject({ name: 'primary', label: 'db.internal:6543/app', url: undefined });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  });

  it('falls back to DATABASE_URL as the primary', () => {
    const old = process.env.DATABASE_URL;
    process.env.DATABASE_URL = 'postgres://u@db.internal:6543/app';
    try {
      expect(resolveTopology({}, {}).primary?.label).toBe('db.internal:6543/app');
    } finally {
      if (old === undefined) delete process.env.DATABASE_URL;
      else process.env.DATABASE_URL = old;
    }
  });
});

