/**
 * Throwaway PostgreSQL 15 clusters on loopback for tests and local trials: a primary, optionally
 * a streaming standby and a cascading standby fed by that standby, and optionally PgBouncer in
 * front of the primary. Everything runs as the `postgres` OS user when we are root (initdb,
 * postgres and pgbouncer refuse root), on free ports, with data under one directory per cluster
 * so a reaper can always find and stop what a dead test left behind.
 * The runtime part of the test harness: it stays in src/ because scripts (dev-cluster, reaper,
 * benchmarks) and commands that need a scratch server load it from dist/; the jest-only pieces
 * (useCluster, global setup, the watchdog) live in test/harness/ and scripts/.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { mapBounded } from '../util/pool';

const run = promisify(execFile);

export const PG_BIN = process.env.DBOPS_PG_BIN ?? '/usr/lib/postgresql/15/bin';
export const SUPERUSER = 'postgres';
export const SUPERUSER_PASSWORD = 'dbops-test-password';
/** Marks a directory as one of ours, so reapers never touch anything else. */
const MARKER = 'dbops-test-cluster';

export interface NodeInfo {
  name: string;
  port: number;
  dataDir: string;
  /** postgres://postgres:…@127.0.0.1:port/postgres */
  url: string;
}

export interface PgBouncerInfo {
  port: number;
  dir: string;
  /** Through PgBouncer to the primary's `postgres` database. */
  url: string;
  /** The admin console (database `pgbouncer`). */
  adminUrl: string;
}

export interface ClusterOptions {
  /** Add a streaming standby ("standby1") and a cascading standby ("cascade1") fed by it. */
  standbys?: boolean;
  /** Add PgBouncer (transaction pooling) in front of the primary. */
  pgbouncer?: boolean | { poolSize?: number; poolMode?: 'session' | 'transaction' };
  /** Extra postgresql.conf settings for every node. */
  settings?: Record<string, string | number>;
}

export interface Cluster {
  dir: string;
  primary: NodeInfo;
  standby?: NodeInfo;
  cascade?: NodeInfo;
  pgbouncer?: PgBouncerInfo;
  /** Runs SQL on a node with psql as the superuser and returns trimmed stdout. */
  psql(node: NodeInfo, sql: string, database?: string): Promise<string>;
  /** URL for a node with another user, password and database. */
  urlFor(node: NodeInfo | PgBouncerInfo, opts?: { user?: string; password?: string; database?: string }): string;
  /** Stops one node (immediate shutdown), e.g. to test how a dead standby is reported. */
  stopNode(node: NodeInfo): Promise<void>;
  /** Starts a node stopped with stopNode again and waits until it accepts connections. */
  startNode(node: NodeInfo): Promise<void>;
  /** Registers more teardown (e.g. a fleet of replicas) that stop() runs first, newest first. */
  onStop(fn: () => Promise<void>): void;
  stop(): Promise<void>;
}

const isRoot = () => typeof process.getuid === 'function' && process.getuid() === 0;

/** Runs a server binary as the postgres user when we are root. */
export async function asPostgres(cmd: string, args: string[], opts: { env?: NodeJS.ProcessEnv } = {}) {
  const env = { ...process.env, ...opts.env };
  if (isRoot()) return run('runuser', ['-u', 'postgres', '--', cmd, ...args], { env, maxBuffer: 16 << 20 });
  return run(cmd, args, { env, maxBuffer: 16 << 20 });
}

export async function chownToPostgres(p: string): Promise<void> {
  if (isRoot()) await run('chown', ['-R', 'postgres:postgres', p]);
}

/** Root of all test clusters: under the workspace unless the postgres user cannot reach it. */
export function testRoot(): string {
  const fromEnv = process.env.DBOPS_TEST_ROOT;
  if (fromEnv) return fromEnv;
  const workspace = path.join(packageRoot(), '.tmp', 'clusters');
  if (!isRoot() || reachableByOthers(path.dirname(workspace))) return workspace;
  return path.join(os.tmpdir(), 'dbops-test-clusters');
}

/** This checkout's root: the same whether this file runs from src/ (ts-jest) or dist/src/. */
function packageRoot(): string {
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, 'package.json'))) {
    const parent = path.dirname(dir);
    if (parent === dir) return process.cwd();
    dir = parent;
  }
  return dir;
}

function reachableByOthers(dir: string): boolean {
  // Every ancestor must be searchable by "other" for the postgres user to enter.
  let d = path.resolve(dir);
  for (;;) {
    try {
      const st = fs.statSync(d);
      if ((st.mode & 0o001) === 0) return false;
    } catch {
      // Not created yet: its parent decides.
    }
    const parent = path.dirname(d);
    if (parent === d) return true;
    d = parent;
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
  });
}

/** initdb once per test run (and per machine, cached): clusters are copies of this template. */
export async function ensureTemplate(root = testRoot()): Promise<string> {
  const template = path.join(root, 'template-15');
  if (fs.existsSync(path.join(template, 'PG_VERSION')) && fs.existsSync(path.join(template, '.complete'))) return template;
  fs.mkdirSync(root, { recursive: true, mode: 0o755 });
  fs.chmodSync(root, 0o755);
  const building = `${template}.building-${process.pid}`;
  fs.rmSync(building, { recursive: true, force: true });
  fs.mkdirSync(building, { mode: 0o700 });
  const pwfile = path.join(root, `pw-${process.pid}`);
  fs.writeFileSync(pwfile, SUPERUSER_PASSWORD + '\n', { mode: 0o644 });
  await chownToPostgres(building);
  await asPostgres(path.join(PG_BIN, 'initdb'), [
    '-D', building, '-U', SUPERUSER, '--pwfile', pwfile, '--auth-local=trust', '--auth-host=scram-sha-256',
    '--no-sync', '--encoding=UTF8', '--locale=C.UTF-8',
  ]);
  fs.rmSync(pwfile, { force: true });
  fs.writeFileSync(path.join(building, '.complete'), '');
  try {
    fs.renameSync(building, template);
  } catch {
    // Another process won the race: use theirs.
    fs.rmSync(building, { recursive: true, force: true });
  }
  return template;
}

export function baseSettings(port: number, name: string, extra: Record<string, string | number>): Record<string, string | number> {
  return {
    port,
    listen_addresses: "'127.0.0.1'",
    unix_socket_directories: "''",
    cluster_name: `'${name}'`,
    fsync: 'off',
    synchronous_commit: 'on',
    full_page_writes: 'on',
    wal_level: 'replica',
    max_wal_senders: 10,
    hot_standby: 'on',
    wal_receiver_status_interval: "'1s'",
    client_connection_check_interval: "'1s'",
    max_connections: 100,
    shared_buffers: "'32MB'",
    logging_collector: 'off',
    ...Object.fromEntries(Object.entries(extra).map(([k, v]) => [k, typeof v === 'number' ? v : quoteSetting(v)])),
  };
}

function quoteSetting(v: string): string {
  return /^'.*'$/.test(v) || /^-?\d+(\.\d+)?$/.test(v) || /^(on|off|true|false)$/i.test(v) ? v : `'${v.replace(/'/g, "''")}'`;
}

export function writeSettings(dataDir: string, settings: Record<string, string | number>): void {
  const lines = Object.entries(settings).map(([k, v]) => `${k} = ${v}`);
  fs.appendFileSync(path.join(dataDir, 'postgresql.conf'), `\n# dbops test cluster\n${lines.join('\n')}\n`);
}

async function waitReady(port: number, deadlineMs: number): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    try {
      await run(path.join(PG_BIN, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(port)]);
      return;
    } catch {
      if (Date.now() > deadline) throw new Error(`PostgreSQL on port ${port} did not become ready in ${deadlineMs} ms`);
      await sleep(15);
    }
  }
}

async function startNode(dataDir: string, port: number): Promise<void> {
  await asPostgres(path.join(PG_BIN, 'pg_ctl'), ['-D', dataDir, '-l', path.join(dataDir, 'server.log'), '-W', 'start']);
  await waitReady(port, 30_000);
}

export async function stopNode(dataDir: string): Promise<void> {
  if (!fs.existsSync(path.join(dataDir, 'postmaster.pid'))) return;
  await asPostgres(path.join(PG_BIN, 'pg_ctl'), ['-D', dataDir, '-m', 'immediate', '-w', 'stop']).catch(() => undefined);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function nodeUrl(port: number, user = SUPERUSER, password = SUPERUSER_PASSWORD, database = 'postgres'): string {
  return `postgres://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}/${encodeURIComponent(database)}`;
}

export async function startCluster(options: ClusterOptions = {}): Promise<Cluster> {
  const root = testRoot();
  const template = await ensureTemplate(root);
  const dir = fs.mkdtempSync(path.join(root, 'c-'));
  fs.chmodSync(dir, 0o755);
  fs.writeFileSync(path.join(dir, MARKER), JSON.stringify({ pid: process.pid, started: new Date().toISOString() }));
  const cleanup: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of cleanup.reverse()) await fn().catch(() => undefined);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    const settings = options.settings ?? {};
    const primaryPort = await freePort();
    const primaryDir = path.join(dir, 'primary');
    await run('cp', ['-a', template, primaryDir]);
    writeSettings(primaryDir, baseSettings(primaryPort, 'primary', settings));
    await chownToPostgres(primaryDir);
    cleanup.push(() => stopNode(primaryDir));
    await startNode(primaryDir, primaryPort);
    const primary: NodeInfo = { name: 'primary', port: primaryPort, dataDir: primaryDir, url: nodeUrl(primaryPort) };
    const cluster: Cluster = {
      dir,
      primary,
      psql: (node, sql, database = 'postgres') => psql(node.port, sql, database),
      urlFor: (node, opts = {}) => nodeUrl(node.port, opts.user, opts.password, opts.database),
      stopNode: (node) => stopNode(node.dataDir),
      startNode: (node) => startNode(node.dataDir, node.port),
      onStop: (fn) => cleanup.push(fn),
      stop,
    };
    if (options.standbys) {
      const [standby, cascade] = await startStandbys(dir, primary, settings);
      cleanup.push(() => stopNode(standby.dataDir), () => stopNode(cascade.dataDir));
      cluster.standby = standby;
      cluster.cascade = cascade;
    }
    if (options.pgbouncer) {
      const opts = typeof options.pgbouncer === 'object' ? options.pgbouncer : {};
      const bouncer = await startPgBouncer(dir, primaryPort, opts.poolSize ?? 5, opts.poolMode ?? 'transaction');
      cleanup.push(() => stopPgBouncer(bouncer.dir));
      cluster.pgbouncer = bouncer;
    }
    return cluster;
  } catch (err) {
    await stop();
    throw err;
  }
}

async function startStandbys(dir: string, primary: NodeInfo, settings: Record<string, string | number>): Promise<[NodeInfo, NodeInfo]> {
  const standbyDir = path.join(dir, 'standby1');
  const cascadeDir = path.join(dir, 'cascade1');
  fs.mkdirSync(standbyDir, { mode: 0o700 });
  await chownToPostgres(standbyDir);
  await asPostgres(
    path.join(PG_BIN, 'pg_basebackup'),
    ['-h', '127.0.0.1', '-p', String(primary.port), '-U', SUPERUSER, '-D', standbyDir, '-R', '-X', 'stream', '-c', 'fast', '--no-sync'],
    { env: { PGPASSWORD: SUPERUSER_PASSWORD } },
  );
  await run('cp', ['-a', standbyDir, cascadeDir]);
  const standbyPort = await freePort();
  const cascadePort = await freePort();
  const conninfo = (port: number, app: string) =>
    `'host=127.0.0.1 port=${port} user=${SUPERUSER} password=${SUPERUSER_PASSWORD} application_name=${app}'`;
  // The base backup copied the primary's settings; appended lines win over earlier ones.
  writeSettings(standbyDir, { ...baseSettings(standbyPort, 'standby1', settings), primary_conninfo: conninfo(primary.port, 'standby1') });
  writeSettings(cascadeDir, { ...baseSettings(cascadePort, 'cascade1', settings), primary_conninfo: conninfo(standbyPort, 'cascade1') });
  for (const d of [standbyDir, cascadeDir]) {
    // pg_basebackup -R wrote primary_conninfo into postgresql.auto.conf, which beats postgresql.conf.
    const auto = path.join(d, 'postgresql.auto.conf');
    fs.writeFileSync(auto, fs.readFileSync(auto, 'utf8').replace(/^primary_conninfo.*$/gm, ''));
    fs.rmSync(path.join(d, 'postmaster.pid'), { force: true });
  }
  await chownToPostgres(cascadeDir);
  await chownToPostgres(standbyDir);
  await startNode(standbyDir, standbyPort);
  await startNode(cascadeDir, cascadePort);
  const standby: NodeInfo = { name: 'standby1', port: standbyPort, dataDir: standbyDir, url: nodeUrl(standbyPort) };
  const cascade: NodeInfo = { name: 'cascade1', port: cascadePort, dataDir: cascadeDir, url: nodeUrl(cascadePort) };
  await waitFor(async () => (await psql(primary.port, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) === '1', 30_000, 'standby1 streaming');
  await waitFor(async () => (await psql(standbyPort, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'")) === '1', 30_000, 'cascade1 streaming');
  return [standby, cascade];
}

export async function waitFor(check: () => Promise<boolean>, deadlineMs: number, what: string): Promise<void> {
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

async function psql(port: number, sql: string, database = 'postgres'): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    try {
      const { stdout } = await run(
        path.join(PG_BIN, 'psql'),
        ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(port), '-U', SUPERUSER, '-d', database, '-c', sql],
        { env: { ...process.env, PGPASSWORD: SUPERUSER_PASSWORD, PGCONNECT_TIMEOUT: '5' }, maxBuffer: 16 << 20 },
      );
      return stdout.trim();
    } catch (err) {
      // A standby whose replay was paused for longer than max_standby_streaming_delay cancels any
      // query at once when replay resumes (even the pg_wal_replay_resume() call itself); the
      // harness's statements are safe to repeat, so a recovery conflict is retried, not a failure.
      if (attempt >= 5 || !/conflict with recovery/.test(String((err as { stderr?: string }).stderr ?? err))) throw err;
      await sleep(100 * attempt);
    }
  }
}

async function findPgBouncer(): Promise<string> {
  for (const p of ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer']) if (fs.existsSync(p)) return p;
  throw new Error('pgbouncer is not installed: apt-get install -y pgbouncer (.ci/run does this)');
}

async function startPgBouncer(dir: string, primaryPort: number, poolSize: number, poolMode: string): Promise<PgBouncerInfo> {
  const bin = await findPgBouncer();
  const bdir = path.join(dir, 'pgbouncer');
  fs.mkdirSync(bdir, { mode: 0o755 });
  const port = await freePort();
  fs.writeFileSync(path.join(bdir, 'userlist.txt'), `"${SUPERUSER}" "${SUPERUSER_PASSWORD}"\n"dbops_app" "app-password"\n`);
  fs.writeFileSync(
    path.join(bdir, 'pgbouncer.ini'),
    [
      '[databases]',
      `* = host=127.0.0.1 port=${primaryPort}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      "unix_socket_dir =",
      'auth_type = scram-sha-256',
      `auth_file = ${path.join(bdir, 'userlist.txt')}`,
      `admin_users = ${SUPERUSER}`,
      `stats_users = ${SUPERUSER}`,
      `pool_mode = ${poolMode}`,
      `default_pool_size = ${poolSize}`,
      'max_client_conn = 500',
      'ignore_startup_parameters = extra_float_digits,options',
      `logfile = ${path.join(bdir, 'pgbouncer.log')}`,
      `pidfile = ${path.join(bdir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  );
  await chownToPostgres(bdir);
  await asPostgres(bin, ['-d', path.join(bdir, 'pgbouncer.ini')]);
  await waitFor(async () => {
    await psql(port, 'SHOW VERSION', 'pgbouncer');
    return true;
  }, 15_000, 'pgbouncer');
  return {
    port,
    dir: bdir,
    url: nodeUrl(port),
    adminUrl: nodeUrl(port, SUPERUSER, SUPERUSER_PASSWORD, 'pgbouncer'),
  };
}

async function stopPgBouncer(bdir: string): Promise<void> {
  const pidFile = path.join(bdir, 'pgbouncer.pid');
  if (!fs.existsSync(pidFile)) return;
  const pid = Number(fs.readFileSync(pidFile, 'utf8').trim());
  if (!pid) return;
  try {
    process.kill(pid, 'SIGINT');
  } catch {
    return;
  }
  const deadline = Date.now() + 5000;
  while (Date.now() < deadline) {
    try {
      process.kill(pid, 0);
    } catch {
      return;
    }
    await sleep(20);
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch {
    // already gone
  }
}

/**
 * Stops and removes clusters under the test root. With `owner`, only those started by that
 * process; otherwise those whose starting process is gone (or all, with `all`).
 */
export async function reapClusters(opts: { owner?: number; all?: boolean; root?: string } = {}): Promise<number> {
  const root = opts.root ?? testRoot();
  if (!fs.existsSync(root)) return 0;
  let reaped = 0;
  for (const entry of fs.readdirSync(root)) {
    const dir = path.join(root, entry);
    const markerFile = path.join(dir, MARKER);
    if (!fs.existsSync(markerFile)) continue;
    let pid = 0;
    try {
      pid = JSON.parse(fs.readFileSync(markerFile, 'utf8')).pid;
    } catch {
      // unreadable marker: treat as orphaned
    }
    const ownerAlive = pid > 0 && isAlive(pid);
    const selected = opts.all || (opts.owner !== undefined ? pid === opts.owner : !ownerAlive);
    if (!selected) continue;
    await stopPgBouncer(path.join(dir, 'pgbouncer'));
    // A fleet keeps its data directories on tmpfs behind a symlink in the cluster directory.
    const satellites = fs.readdirSync(dir).map((e) => path.join(dir, e)).filter((p) => fs.lstatSync(p).isSymbolicLink() && fs.existsSync(p));
    const dataDirs = [dir, ...satellites].flatMap((d) => fs.readdirSync(d).map((e) => path.join(d, e))).filter((p) => fs.existsSync(path.join(p, 'PG_VERSION')));
    await mapBounded(dataDirs, 8, stopNode);
    for (const s of satellites) fs.rmSync(fs.realpathSync(s), { recursive: true, force: true });
    fs.rmSync(dir, { recursive: true, force: true });
    reaped++;
  }
  return reaped;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** For the dev scripts: Ctrl-C or SIGTERM stops and removes the cluster (once), then exits. */
export function stopOnSignal(cluster: Pick<Cluster, 'stop'>): void {
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await cluster.stop();
    process.exit(0);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}
