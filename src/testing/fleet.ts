/**
 * A fleet of PostgreSQL 15 replicas on this machine for tests and benchmarks at full scale: the
 * primary of a started cluster, a few direct standbys, intermediates streaming from those, and
 * leaves streaming from the intermediates. Every node is a copy of ONE base backup of the
 * primary (copying a directory is far cheaper than fifty pg_basebackup runs, and a copy of a
 * backup is a correct starting point for a cascade too: its upstream holds the same WAL), with
 * tiny shared_buffers, few connections, fsync off and no autovacuum, all started at once.
 * The nodes live in the cluster's directory, so the cluster's reaper stops them if a test dies.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { Client } from '../db/pg';
import { mapBounded } from '../util/pool';
import {
  asPostgres, baseSettings, chownToPostgres, freePort, nodeUrl, PG_BIN, stopNode, SUPERUSER, SUPERUSER_PASSWORD, waitFor,
  type Cluster, type NodeInfo,
} from './cluster';

const run = promisify(execFile);

export interface FleetShape {
  /** Replicas in all (default 50). */
  replicas?: number;
  /** Standbys streaming from the primary (default 4). */
  direct?: number;
  /** Cascading standbys under each direct standby that feed further leaves (default 3). */
  intermediatesPerDirect?: number;
}

export interface FleetNode extends NodeInfo {
  /** Name of the node it streams from ("primary" for a direct standby). */
  upstream: string;
  depth: number;
}

export interface Fleet {
  /** Every replica, parents before their children. */
  nodes: FleetNode[];
  node(name: string): FleetNode;
  /** Waits until every upstream lists each of its children as streaming. */
  waitStreaming(deadlineMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Settings of the primary and every fleet node: small, quick to start, quick to reconnect. A hot
 * standby refuses to run with max_connections, max_worker_processes or max_wal_senders below the
 * primary's, so the primary must be started with these too (startCluster({ settings })).
 * max_connections stays low but leaves room for a report, a backfill's throttle and a test's own
 * psql at the same time; walsenders do not use those slots.
 */
export const FLEET_NODE_SETTINGS: Record<string, string | number> = {
  shared_buffers: '2MB',
  max_connections: 15,
  superuser_reserved_connections: 2,
  max_wal_senders: 10,
  wal_keep_size: '64MB',
  autovacuum: 'off',
  max_worker_processes: 2,
  max_parallel_workers: 0,
  jit: 'off',
  wal_retrieve_retry_interval: '200ms',
};

/** The tree for a shape: d1…dN under the primary, dX-iY under each, the leaves dX-iY-lZ dealt round-robin to the intermediates. */
export function fleetLayout(shape: FleetShape = {}): Array<{ name: string; upstream: string; depth: number }> {
  const total = shape.replicas ?? 50;
  const direct = Math.min(shape.direct ?? 4, total);
  const perDirect = shape.intermediatesPerDirect ?? 3;
  const out: Array<{ name: string; upstream: string; depth: number }> = [];
  for (let d = 1; d <= direct; d++) out.push({ name: `d${d}`, upstream: 'primary', depth: 1 });
  const intermediates: string[] = [];
  for (let i = 1; i <= perDirect && out.length < total; i++) {
    for (let d = 1; d <= direct && out.length < total; d++) {
      out.push({ name: `d${d}-i${i}`, upstream: `d${d}`, depth: 2 });
      intermediates.push(`d${d}-i${i}`);
    }
  }
  const leavesUnder = new Map<string, number>();
  for (let k = 0; out.length < total && intermediates.length > 0; k++) {
    const parent = intermediates[k % intermediates.length];
    const n = (leavesUnder.get(parent) ?? 0) + 1;
    leavesUnder.set(parent, n);
    out.push({ name: `${parent}-l${n}`, upstream: parent, depth: 3 });
  }
  return out.sort((a, b) => a.depth - b.depth);
}

/**
 * Where the fleet's data directories go: fifty copies of a base backup are ~2 GB, which tmpfs
 * writes and deletes in seconds where a busy disk takes minutes. A symlink in the cluster
 * directory points there, so the reaper finds (and removes) it; without /dev/shm, the cluster
 * directory itself.
 */
function fleetDataRoot(cluster: Cluster): string {
  const link = path.join(cluster.dir, 'fleet');
  const shm = '/dev/shm';
  if (!fs.existsSync(shm) || process.env.DBOPS_FLEET_ON_DISK) {
    fs.mkdirSync(link, { mode: 0o755 });
    return link;
  }
  const target = fs.mkdtempSync(path.join(shm, `dbops-fleet-${path.basename(cluster.dir)}-`));
  fs.chmodSync(target, 0o755);
  fs.symlinkSync(target, link);
  return link;
}

/**
 * Starts the fleet on `cluster` (whose primary must run with FLEET_NODE_SETTINGS); it is stopped
 * with the cluster, and by the cluster's reaper if the process dies.
 */
export async function startFleet(cluster: Cluster, shape: FleetShape = {}, settings: Record<string, string | number> = {}): Promise<Fleet> {
  const layout = fleetLayout(shape);
  const root = fleetDataRoot(cluster);
  const base = path.join(root, 'base');
  fs.mkdirSync(base, { mode: 0o700 });
  await chownToPostgres(base);
  await asPostgres(
    path.join(PG_BIN, 'pg_basebackup'),
    ['-h', '127.0.0.1', '-p', String(cluster.primary.port), '-U', SUPERUSER, '-D', base, '-X', 'stream', '-c', 'fast', '--no-sync'],
    { env: { PGPASSWORD: SUPERUSER_PASSWORD } },
  );
  fs.writeFileSync(path.join(base, 'standby.signal'), '');
  await chownToPostgres(base);

  const ports = new Set<number>([cluster.primary.port]);
  const nodes: FleetNode[] = [];
  for (const n of layout) {
    let port = await freePort();
    while (ports.has(port)) port = await freePort();
    ports.add(port);
    nodes.push({ ...n, port, dataDir: path.join(root, n.name), url: nodeUrl(port) });
  }
  const byName = new Map<string, NodeInfo>([['primary', cluster.primary], ...nodes.map((n) => [n.name, n] as const)]);
  const conninfo = (upstream: NodeInfo, app: string) =>
    `'host=127.0.0.1 port=${upstream.port} user=${SUPERUSER} password=${SUPERUSER_PASSWORD} application_name=${app}'`;

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    // Leaves first, so no standby spends the shutdown reconnecting to a parent that is gone.
    await mapBounded([...nodes].reverse(), 8, (n) => stopNode(n.dataDir));
    fs.rmSync(fs.realpathSync(root), { recursive: true, force: true });
    fs.rmSync(root, { recursive: true, force: true });
  };
  cluster.onStop(stop);
  try {
    // cp -a keeps the postgres owner of the base backup: no chown per copy.
    await mapBounded(nodes, 4, async (n) => {
      await run('cp', ['-a', base, n.dataDir]);
      const lines = { ...baseSettings(n.port, n.name, { ...FLEET_NODE_SETTINGS, ...settings }), primary_conninfo: conninfo(byName.get(n.upstream)!, n.name) };
      fs.appendFileSync(path.join(n.dataDir, 'postgresql.conf'), `\n# dbops fleet node\n${Object.entries(lines).map(([k, v]) => `${k} = ${v}`).join('\n')}\n`);
    });
    fs.rmSync(base, { recursive: true, force: true });
    // All at once: a cascade that starts before its parent retries every wal_retrieve_retry_interval.
    await mapBounded(nodes, 8, (n) => asPostgres(path.join(PG_BIN, 'pg_ctl'), ['-D', n.dataDir, '-l', path.join(n.dataDir, 'server.log'), '-W', 'start']));
    await mapBounded(nodes, nodes.length, (n) => waitAccepting(n, 60_000, () => stopped));
    const fleet: Fleet = {
      nodes,
      node: (name) => {
        const n = nodes.find((x) => x.name === name);
        if (!n) throw new Error(`no fleet node named ${name}`);
        return n;
      },
      waitStreaming: (deadlineMs = 60_000) => waitStreaming(byName, nodes, deadlineMs),
      stop,
    };
    await fleet.waitStreaming();
    return fleet;
  } catch (err) {
    await stop();
    throw err;
  }
}

/**
 * pg_ctl writes "ready" (or "standby") as the 8th line of postmaster.pid once the server takes
 * connections: reading a file is far cheaper than fifty pg_isready loops.
 */
async function waitAccepting(node: NodeInfo, deadlineMs: number, cancelled: () => boolean): Promise<void> {
  const pidFile = path.join(node.dataDir, 'postmaster.pid');
  const log = path.join(node.dataDir, 'server.log');
  const deadline = Date.now() + deadlineMs;
  for (;;) {
    if (cancelled()) throw new Error('fleet stopped');
    const status = fs.existsSync(pidFile) ? (fs.readFileSync(pidFile, 'utf8').split('\n')[7] ?? '').trim() : '';
    if (status === 'ready' || status === 'standby') return;
    const text = !status && fs.existsSync(log) ? fs.readFileSync(log, 'utf8') : '';
    if (/database system is shut down/.test(text)) {
      throw new Error(`${node.name} (port ${node.port}) shut down while starting: ${/(?:FATAL|PANIC): .*(?:\n.*DETAIL: .*)?/.exec(text)?.[0] ?? `see ${log}`}`);
    }
    if (Date.now() > deadline) throw new Error(`${node.name} (port ${node.port}) did not accept connections within ${deadlineMs} ms; see ${log}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function waitStreaming(byName: Map<string, NodeInfo>, nodes: FleetNode[], deadlineMs: number): Promise<void> {
  const children = new Map<string, string[]>();
  for (const n of nodes) children.set(n.upstream, [...(children.get(n.upstream) ?? []), n.name]);
  await mapBounded([...children], 6, async ([upstream, names]) => {
    const client = new Client({ connectionString: byName.get(upstream)!.url, connectionTimeoutMillis: 5000 });
    await client.connect();
    try {
      await waitFor(async () => {
        const { rows } = await client.query("SELECT count(*)::int AS n FROM pg_stat_replication WHERE state = 'streaming' AND application_name = ANY($1)", [names]);
        return rows[0].n === names.length;
      }, deadlineMs, `${names.length} standbys streaming from ${upstream}`);
    } finally {
      await client.end();
    }
  });
}
