import type { QueryConfig } from 'pg';
import { DbopsError, UsageError } from '../../core/errors';
import type { Session } from '../../db/connect';
import { onNode, requireStatsPrivilege, type NodeTimeouts } from '../../replication/node-session';
import { NODE_CONNECTIONS, PGBOUNCER_POOLS } from '../../replication/queries';
import type { NodeEndpoint, Topology } from '../../replication/topology';
import { DEFAULT_NODE_CONCURRENCY } from '../../replication/lag/collect';
import { mapBounded } from '../../util/pool';
import { CONNECTION_STATES, type BouncerConnections, type ConnectionsSnapshot, type Holder, type NodeConnections, type PoolStats, type SessionRef } from './types';

/** The connection cap of managed PostgreSQL services; --limit overrides it. */
export const DEFAULT_CONNECTION_CAP = 5000;

export interface CollectConnectionsOptions extends NodeTimeouts {
  /** Cap on the effective limit (default 5000). */
  limit?: number;
  /** How many top users / client addresses to keep (default 10). */
  top?: number;
  /** How many servers are queried at once (default 16). */
  concurrency?: number;
}

/** Reads every PostgreSQL node and PgBouncer of the topology, a bounded number at a time; a node that fails is a row with `error`. */
export async function collectConnections(topology: Topology, options: CollectConnectionsOptions = {}): Promise<ConnectionsSnapshot> {
  const servers = [...(topology.primary ? [topology.primary] : []), ...topology.replicas];
  if (servers.length === 0 && topology.pgbouncers.length === 0) {
    throw new UsageError('no servers to report connections on', 'pass --primary URL, --replica NAME=URL or --pgbouncer URL');
  }
  const [nodes, pgbouncers] = await Promise.all([
    mapBounded(servers, options.concurrency ?? DEFAULT_NODE_CONCURRENCY, (e) => readNode(e, options)),
    mapBounded(topology.pgbouncers, options.concurrency ?? DEFAULT_NODE_CONCURRENCY, (e) => readBouncer(e, options)),
  ]);
  return { nodes: nameUpstreams(nodes.map((n) => n.node), nodes.map((n) => n.sender)), pgbouncers };
}

/**
 * A standby whose WAL sender is another standby of the report is a cascading standby of it; a
 * sender outside the report stays host:port (a standby cannot tell whether that is a primary).
 */
function nameUpstreams(nodes: NodeConnections[], senders: Array<Sender | null>): NodeConnections[] {
  const hostPort = (n: NodeConnections) => n.label.replace(/\/.*$/, '');
  return nodes.map((node, i) => {
    const sender = senders[i];
    if (!sender) return node;
    const others = nodes.filter((n) => n !== node && n.reachable);
    let match = others.filter((n) => hostPort(n) === `${sender.host}:${sender.port}`);
    if (match.length === 0) match = others.filter((n) => hostPort(n).endsWith(`:${sender.port}`));
    const upstream = match.length === 1 ? match[0] : undefined;
    if (!upstream) return { ...node, upstream: `${sender.host}:${sender.port}` };
    return { ...node, upstream: upstream.name, role: upstream.role === 'primary' ? 'standby' : 'cascading standby' };
  });
}

interface Sender {
  host: string;
  port: number;
}

async function readNode(endpoint: NodeEndpoint, options: CollectConnectionsOptions): Promise<{ node: NodeConnections; sender: Sender | null }> {
  const outcome = await onNode(endpoint, 'postgres', options, (s) => readNodeConnections(s, endpoint, options));
  return outcome.ok ? outcome.value : { node: { ...emptyNode(endpoint), error: outcome.error }, sender: null };
}

function emptyNode(endpoint: NodeEndpoint): NodeConnections {
  return {
    name: endpoint.name,
    label: endpoint.label,
    reachable: false,
    role: null,
    upstream: null,
    maxConnections: null,
    superuserReserved: null,
    reserved: null,
    effectiveLimit: null,
    used: null,
    usagePercent: null,
    byState: {},
    byApplication: [],
    byUser: [],
    byClientAddr: [],
    oldestIdleInTransaction: null,
    oldestTransaction: null,
  };
}

interface BackendRow {
  pid: number;
  application: string;
  username: string;
  client_addr: string;
  state: string;
  state_age_s: number | null;
  xact_age_s: number | null;
}

/** One round trip: NODE_CONNECTIONS (limits, client backends and, on a standby, its WAL sender). */
async function readNodeConnections(session: Session, endpoint: NodeEndpoint, options: CollectConnectionsOptions): Promise<{ node: NodeConnections; sender: Sender | null }> {
  const limits = (await session.client.query(NODE_CONNECTIONS)).rows[0];
  requireStatsPrivilege(limits, endpoint);
  const backends = limits.backends as BackendRow[];
  const sender = limits.sender as { host: string | null; port: number | null } | null;
  const reservedSlots = limits.superuser_reserved + (limits.reserved ?? 0);
  const effectiveLimit = Math.max(0, Math.min(limits.max_connections - reservedSlots, options.limit ?? DEFAULT_CONNECTION_CAP));
  const byState: Record<string, number> = Object.fromEntries(CONNECTION_STATES.map((s) => [s, 0]));
  for (const b of backends) byState[b.state] = (byState[b.state] ?? 0) + 1;
  const top = options.top ?? 10;
  const idleInTx = backends.filter((b) => b.state.startsWith('idle in transaction'));
  const node: NodeConnections = {
    ...emptyNode(endpoint),
    reachable: true,
    role: limits.in_recovery ? 'standby' : 'primary',
    maxConnections: limits.max_connections,
    superuserReserved: limits.superuser_reserved,
    reserved: limits.reserved ?? null,
    effectiveLimit,
    used: backends.length,
    usagePercent: effectiveLimit > 0 ? round1((backends.length / effectiveLimit) * 100) : null,
    byState,
    byApplication: tally(backends, (b) => b.application),
    byUser: tally(backends, (b) => b.username).slice(0, top),
    byClientAddr: tally(backends, (b) => b.client_addr).slice(0, top),
    oldestIdleInTransaction: oldest(idleInTx, (b) => b.state_age_s),
    oldestTransaction: oldest(backends, (b) => b.xact_age_s),
  };
  return { node, sender: limits.in_recovery && sender?.host && sender.port ? { host: sender.host, port: Number(sender.port) } : null };
}

function tally(rows: BackendRow[], key: (r: BackendRow) => string): Holder[] {
  const counts = new Map<string, number>();
  for (const r of rows) counts.set(key(r), (counts.get(key(r)) ?? 0) + 1);
  return [...counts].map(([name, count]) => ({ name, count })).sort((a, b) => b.count - a.count || a.name.localeCompare(b.name));
}

function oldest(rows: BackendRow[], age: (r: BackendRow) => number | null): SessionRef | null {
  let best: BackendRow | undefined;
  for (const r of rows) if (age(r) !== null && (best === undefined || age(r)! > age(best)!)) best = r;
  return best
    ? { pid: best.pid, application: best.application, user: best.username, clientAddr: best.client_addr, state: best.state, seconds: round1(age(best)!) }
    : null;
}

const round1 = (n: number) => Math.round(n * 10) / 10;

async function readBouncer(endpoint: NodeEndpoint, options: NodeTimeouts): Promise<BouncerConnections> {
  const outcome = await onNode(endpoint, 'pgbouncer', options, async (s) => {
    // The admin console speaks only the simple query protocol; @types/pg does not know queryMode yet.
    const query = { text: PGBOUNCER_POOLS, queryMode: 'simple' } as QueryConfig;
    const { rows } = await s.client.query<Record<string, unknown>>(query).catch((err: { code?: string }) => {
      // PostgreSQL (directly, or behind a pool database) reads SHOW POOLS as an unknown setting.
      if (err?.code === '42704') throw new DbopsError(`${endpoint.label}: this is not a PgBouncer admin console (SHOW POOLS is unknown here); connect to PgBouncer's port, database "pgbouncer"`);
      throw err;
    });
    return rows.filter((r) => r.database !== 'pgbouncer').map(toPool);
  });
  return outcome.ok
    ? { name: endpoint.name, label: endpoint.label, reachable: true, pools: outcome.value }
    : { name: endpoint.name, label: endpoint.label, reachable: false, error: outcome.error, pools: [] };
}

function toPool(r: Record<string, unknown>): PoolStats {
  const n = (k: string) => Number(r[k] ?? 0);
  return {
    database: String(r.database),
    user: String(r.user),
    poolMode: String(r.pool_mode ?? ''),
    clientsActive: n('cl_active'),
    clientsWaiting: n('cl_waiting'),
    serversActive: n('sv_active'),
    serversIdle: n('sv_idle'),
    serversUsed: n('sv_used'),
    maxWaitSeconds: n('maxwait') + n('maxwait_us') / 1e6,
  };
}
