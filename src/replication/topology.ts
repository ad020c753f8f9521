import { UsageError } from '../core/errors';
import { configKey } from '../config/load';
import type { DbopsConfig } from '../config/schema';
import { resolveConnection } from '../db/connection-options';
import { describeConnectionString } from '../db/redact';

/** One server (or PgBouncer admin console) the reports talk to. */
export interface NodeEndpoint {
  /** What rows are called: "primary", the replica's name, or host:port for PgBouncer. */
  name: string;
  /** Connection URL or conninfo; may hold a password, so it is never printed. Undefined: libpq's PG* variables. */
  url: string | undefined;
  /** host:port/database, safe to print. */
  label: string;
  /** region/tier from the fleet description. */
  labels?: NodeLabels;
  /** The node it streams from, as the fleet description says; discovery wins when it can tell. */
  upstream?: string;
}

export interface NodeLabels {
  region?: string;
  tier?: string;
}

/** A replica the fleet description names without a URL: seen only through its upstream. */
export interface ListedNode {
  name: string;
  labels?: NodeLabels;
  upstream?: string;
}

/**
 * The nodes a report covers. `primary` may be absent (a report over standbys only); when only a
 * primary is given, its direct standbys are discovered from pg_stat_replication.
 */
export interface Topology {
  primary?: NodeEndpoint;
  replicas: NodeEndpoint[];
  pgbouncers: NodeEndpoint[];
  /** Replicas named in the config without a URL. */
  listed?: ListedNode[];
}

/** Topology as the flags give it: `--primary URL`, `--replica NAME=URL` (repeated), `--pgbouncer [NAME=]URL`. */
export interface TopologyFlags {
  primary?: string;
  replicas?: string[];
  pgbouncers?: string[];
}

/** The name of the node given as the primary (replicas cannot take it). */
export const PRIMARY_NAME = 'primary';

/** Why the node given as the primary is flagged when it turns out to be in recovery. */
export const PRIMARY_IN_RECOVERY = 'given as the primary, but it is a standby (in recovery): has there been a failover?';

const NAME = /^[A-Za-z0-9_.@:-]+$/;

/** libpq environment variables that name a server without any URL. */
const PG_ENV = ['PGHOST', 'PGHOSTADDR', 'PGPORT', 'PGDATABASE', 'PGUSER', 'PGSERVICE'];

/** Keywords a bare libpq conninfo starts with; see parseNamed. */
const LIBPQ_KEYWORDS = new Set(['host', 'hostaddr', 'port', 'dbname', 'user', 'password', 'passfile', 'sslmode', 'service', 'options', 'application_name', 'connect_timeout', 'target_session_attrs']);

/**
 * Flags win over the config file's `topology` section; with neither, the connection the other
 * commands use (config `database.url`, DATABASE_URL, PG*) is taken as the primary.
 */
export function resolveTopology(flags: TopologyFlags, config: Pick<DbopsConfig, 'topology' | 'database'> = {}, configFile?: string): Topology {
  const fromFlags = Boolean(flags.primary || flags.replicas?.length || flags.pgbouncers?.length);
  if (fromFlags) {
    return build(flags.primary, (flags.replicas ?? []).map((r) => parseNamed(r, '--replica')), (flags.pgbouncers ?? []).map(parseBouncer), '--replica');
  }
  const t = config.topology;
  if (t && (t.primary || t.replicas?.length || t.pgbouncer?.length)) {
    const key = (k: string) => configKey(configFile, k);
    if (t.primary !== undefined && (typeof t.primary !== 'string' || !t.primary.trim())) {
      throw new UsageError(`${key('topology.primary')} must be a connection URL (a string)`, 'e.g. "primary": "postgres://monitor@db1:5432/postgres"; see docs/configuration.md');
    }
    if (t.replicas !== undefined && !Array.isArray(t.replicas)) {
      throw new UsageError(`${key('topology.replicas')} must be a list of {"name", "url"}`, 'see docs/configuration.md');
    }
    const replicas = (t.replicas ?? []).map((r, i) => {
      if (!r || typeof r.name !== 'string' || (r.url !== undefined && typeof r.url !== 'string') || !NAME.test(r.name)) {
        throw new UsageError(`${key(`topology.replicas[${i}]`)} needs a "name" (letters, digits, _ . - @ :) and a "url" (or no url for a replica dbops cannot reach)`, 'see docs/configuration.md');
      }
      for (const field of ['region', 'tier', 'upstream'] as const) {
        if (r[field] !== undefined && typeof r[field] !== 'string') throw new UsageError(`${key(`topology.replicas[${i}].${field}`)} must be a string`, 'see docs/configuration.md');
      }
      const labels = r.region !== undefined || r.tier !== undefined ? { region: r.region, tier: r.tier } : undefined;
      return { name: r.name, url: r.url, labels, upstream: r.upstream };
    });
    const bouncers = (t.pgbouncer ?? []).map((u) => {
      if (typeof u !== 'string') throw new UsageError(`${key('topology.pgbouncer')} must be a list of admin URLs`, 'see docs/configuration.md');
      return parseBouncer(u);
    });
    const listed = replicas.filter((r) => r.url === undefined).map((r) => ({ name: r.name, labels: r.labels, upstream: r.upstream }));
    try {
      const topology = build(t.primary, replicas.filter((r) => r.url !== undefined) as Array<ReplicaSpec & { url: string }>, bouncers, key('topology.replicas'));
      checkUpstreams([...topology.replicas, ...listed], key('topology.replicas'));
      return listed.length > 0 ? { ...topology, listed } : topology;
    } catch (err) {
      // A URL the driver cannot read: say which file holds it.
      if (!(err instanceof UsageError) || err.message.startsWith(key('topology'))) throw err;
      throw new UsageError(`${key('topology')}: ${err.message}`, err.hint);
    }
  }
  const fallback = config.database?.url ?? process.env.DATABASE_URL;
  if (fallback) return build(fallback, [], [], '--replica');
  // PGHOST, PGPORT… alone name a server the way psql reads them; the driver resolves them.
  if (PG_ENV.some((k) => process.env[k])) {
    return { primary: { name: PRIMARY_NAME, url: undefined, label: resolveConnection(undefined).label }, replicas: [], pgbouncers: [] };
  }
  throw new UsageError('no servers to report on', 'pass --primary URL (and --replica NAME=URL, --pgbouncer URL) or add a "topology" section to dbops.config.json');
}

interface ReplicaSpec {
  name: string;
  url?: string;
  labels?: NodeLabels;
  upstream?: string;
}

/** Every configured upstream names a node of the description, and following upstreams never loops. */
function checkUpstreams(nodes: Array<{ name: string; upstream?: string }>, where: string): void {
  const byName = new Map<string, { name: string; upstream?: string }>();
  for (const n of nodes) {
    if (byName.has(n.name)) throw new UsageError(`${where}: the name "${n.name}" is used twice`, 'give every node its own name');
    byName.set(n.name, n);
  }
  for (const n of nodes) {
    if (n.upstream === undefined) continue;
    if (n.upstream !== PRIMARY_NAME && !byName.has(n.upstream)) {
      throw new UsageError(`${where}: ${n.name} streams from "${n.upstream}", which is not in the topology`, `name "${PRIMARY_NAME}" or another replica as its upstream`);
    }
    const seen = new Set<string>([n.name]);
    for (let up: string | undefined = n.upstream; up !== undefined && up !== PRIMARY_NAME; up = byName.get(up)?.upstream) {
      if (seen.has(up)) throw new UsageError(`${where}: the upstreams of ${n.name} form a loop (${[...seen, up].join(' → ')})`, 'every chain of upstreams must end at the primary');
      seen.add(up);
    }
  }
}

function build(primaryUrl: string | undefined, replicas: Array<ReplicaSpec & { url: string }>, bouncers: Array<{ name?: string; url: string }>, where: string): Topology {
  const names = new Set<string>();
  const endpoint = (name: string, url: string, extra: Pick<NodeEndpoint, 'labels' | 'upstream'> = {}): NodeEndpoint => {
    if (names.has(name)) throw new UsageError(`${where}: the name "${name}" is used twice`, 'give every node its own name');
    names.add(name);
    const e: NodeEndpoint = { name, url, label: resolveConnection(url).label };
    if (extra.labels) e.labels = extra.labels;
    if (extra.upstream) e.upstream = extra.upstream;
    return e;
  };
  const primary = primaryUrl ? endpoint(PRIMARY_NAME, primaryUrl) : undefined;
  return {
    primary,
    replicas: replicas.map((r) => endpoint(r.name, r.url, r)),
    pgbouncers: bouncers.map((b) => endpoint(b.name ?? resolveConnection(b.url).label.replace(/\/.*$/, ''), b.url)),
  };
}

function parseNamed(value: string, flag: string): { name: string; url: string } {
  const eq = value.indexOf('=');
  const name = eq > 0 ? value.slice(0, eq) : '';
  const url = value.slice(eq + 1);
  // A bare conninfo ("host=… port=…") also contains "=": the name must look like a name, and a
  // libpq keyword followed by a value rather than a URL or conninfo is that conninfo, unnamed.
  const bareConninfo = LIBPQ_KEYWORDS.has(name.toLowerCase()) && !/^\s*(postgres(ql)?:\/\/|\w+\s*=)/i.test(url);
  if (eq <= 0 || !NAME.test(name) || !url.trim() || bareConninfo) {
    throw new UsageError(`${flag} needs NAME=URL, got ${describeConnectionString(value)}`, `e.g. ${flag} standby1=postgres://user@host:5432/postgres`);
  }
  return { name, url };
}

function parseBouncer(value: string): { name?: string; url: string } {
  const m = /^([A-Za-z0-9_.@:-]+)=((?:postgres|postgresql):\/\/.*)$/i.exec(value);
  return m ? { name: m[1], url: m[2] } : { url: value };
}
