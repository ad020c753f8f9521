import { UsageError } from '../../core/errors';
import type { Session } from '../../db/connect';
import { quoteIdent } from '../../db/quote';
import { createExtensionFix, isNotLoadedError, PRELOAD_FIX, readStatStatementsSetup } from '../../db/stat-statements';
import { onNode, type NodeTimeouts } from '../../replication/node-session';
import { NODE_CLIENT_BACKENDS } from '../../replication/queries';
import type { NodeEndpoint, Topology } from '../../replication/topology';
import {
  AUTOVACUUM_SETTINGS,
  clockSql,
  DATABASE_AGES,
  FUNCTION_VOLATILITY,
  HORIZON_SESSIONS,
  PREPARED_TRANSACTIONS,
  replicationSlotsSql,
  SERVER_WAL,
  serverFactsSql,
  STANDBY_FEEDBACK,
  STAT_STATEMENTS_COLUMNS,
  statStatementsSql,
  tableStatsSql,
} from './queries';
import type { ActivityRow, AutovacuumSettings, Degradation, PrimarySample, ReplicationSlotRow, StatementRow, TableStatsRow } from './types';

export interface CollectWorkloadOptions extends NodeTimeouts {
  /** Time between the two samples of the statistics views. */
  intervalMs: number;
  /**
   * Work to do while the interval runs, given the first sample: it returns the names of the
   * functions whose volatility the second sample should read (the report parses the statements here).
   */
  duringInterval?: (first: PrimarySample) => Promise<string[]>;
}

export interface ServerFacts {
  role: string;
  canReadStats: boolean;
  inRecovery: boolean;
  versionNum: number;
  database: string;
  searchPath: string[];
}

export interface SessionHolderRow {
  pid: number;
  application: string;
  username: string;
  datname: string | null;
  state: string;
  backend_type: string;
  xid_age: number;
  xact_age_s: number | null;
}

export interface PreparedRow {
  gid: string;
  owner: string;
  database: string;
  xid_age: number;
  age_s: number;
}

export interface FeedbackRow {
  application: string;
  state: string;
  xid_age: number;
}

/** What only the second sample reads: the horizon is a moment, not a rate. */
export interface HorizonRead {
  sessions: SessionHolderRow[];
  slots: ReplicationSlotRow[];
  prepared: PreparedRow[];
  feedback: FeedbackRow[];
  databases: Array<{ database: string; xidAge: number }>;
  autovacuum: AutovacuumSettings;
}

export interface PrimaryRead {
  name: string;
  label: string;
  /** Set when the primary could not be read; then nothing else is. */
  error?: string;
  facts?: ServerFacts;
  first?: PrimarySample;
  second?: PrimarySample;
  horizon?: HorizonRead;
  /** Volatility of the functions duringInterval named, read with the second sample. */
  volatility: Map<string, boolean>;
  degradations: Degradation[];
}

export interface NodeActivity {
  name: string;
  label: string;
  reachable: boolean;
  error?: string;
  inRecovery: boolean | null;
  /** The client backends at each sample (the report's own sessions left out). */
  samples: ActivityRow[][];
}

export interface WorkloadSamples {
  primary: PrimaryRead;
  /** The primary first, then every replica of the topology. */
  nodes: NodeActivity[];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Samples the primary's statistics views twice, `intervalMs` apart, each time in its own
 * read-only session (one session per sample keeps every node within its statement deadline),
 * and the client backends of every node at the same two moments.
 */
export async function collectWorkload(topology: Topology, options: CollectWorkloadOptions): Promise<WorkloadSamples> {
  const primary = topology.primary;
  if (!primary) throw new UsageError('report workload needs the primary', 'pass --primary URL (or --url URL), or set topology.primary in dbops.config.json');
  const read: PrimaryRead = { name: primary.name, label: primary.label, volatility: new Map(), degradations: [] };
  const replicas = new Map(topology.replicas.map((r) => [r.name, emptyActivity(r)]));
  const primaryActivity = emptyActivity(primary);

  let functions: string[] = [];
  for (const second of [false, true]) {
    if (second) {
      const started = Date.now();
      if (options.duringInterval && read.first) functions = await options.duringInterval(read.first);
      await sleep(Math.max(0, options.intervalMs - (Date.now() - started)));
    }
    const [outcome] = await Promise.all([
      onNode(primary, 'postgres', options, (s) => samplePrimary(s, second, functions)),
      ...topology.replicas.map(async (r) => addActivity(replicas.get(r.name)!, await onNode(r, 'postgres', options, readActivity))),
    ]);
    if (!outcome.ok) {
      read.error = outcome.error;
      addActivity(primaryActivity, { ok: false, error: outcome.error });
      break;
    }
    const { facts, sample, activity, horizon, volatility, degradations } = outcome.value;
    read.facts = facts;
    if (second) {
      read.second = sample;
      read.horizon = horizon;
      read.volatility = volatility;
      read.degradations = degradations;
    } else read.first = sample;
    addActivity(primaryActivity, { ok: true, value: { inRecovery: facts.inRecovery, rows: activity } });
  }
  return { primary: read, nodes: [primaryActivity, ...replicas.values()] };
}

function emptyActivity(endpoint: NodeEndpoint): NodeActivity {
  return { name: endpoint.name, label: endpoint.label, reachable: true, inRecovery: null, samples: [] };
}

type ActivityOutcome = { ok: true; value: { inRecovery: boolean; rows: ActivityRow[] } } | { ok: false; error: string };

function addActivity(node: NodeActivity, outcome: ActivityOutcome): void {
  if (!outcome.ok) {
    node.reachable = false;
    node.error = outcome.error;
    return;
  }
  node.inRecovery = outcome.value.inRecovery;
  node.samples.push(outcome.value.rows);
}

async function readActivity(session: Session): Promise<{ inRecovery: boolean; rows: ActivityRow[] }> {
  const facts = (await session.client.query(serverFactsSql())).rows[0];
  return { inRecovery: facts.in_recovery, rows: await clientBackends(session) };
}

async function clientBackends(session: Session): Promise<ActivityRow[]> {
  const { rows } = await session.client.query<{ application: string; username: string; state: string }>(NODE_CLIENT_BACKENDS);
  return rows.map((r) => ({ application: r.application, user: r.username, state: r.state }));
}

interface PrimarySampleRead {
  facts: ServerFacts;
  sample: PrimarySample;
  activity: ActivityRow[];
  horizon?: HorizonRead;
  volatility: Map<string, boolean>;
  degradations: Degradation[];
}

async function samplePrimary(session: Session, withHorizon: boolean, functions: string[]): Promise<PrimarySampleRead> {
  const q = session.client;
  const f = (await q.query(serverFactsSql())).rows[0];
  const facts: ServerFacts = {
    role: f.role_name,
    canReadStats: f.can_read_stats,
    inRecovery: f.in_recovery,
    versionNum: f.version_num,
    database: f.database,
    searchPath: f.search_path ?? [],
  };
  const degradations: Degradation[] = [];
  if (!facts.canReadStats) {
    degradations.push({
      missing: 'other roles\' sessions, their statement texts and standbys\' feedback are hidden, so the horizon may be older than shown',
      fix: `GRANT pg_monitor TO ${quoteIdent(facts.role)};`,
      blocksVerdict: true,
    });
  }
  const clock = (await q.query(clockSql(facts.versionNum))).rows[0];
  const tables = (await q.query(tableStatsSql(facts.versionNum))).rows.map(toTableRow);
  const statements = await readStatements(session, degradations);
  let walBytes: number | null = null;
  if (facts.versionNum >= 140000) walBytes = (await q.query(SERVER_WAL)).rows[0]?.wal_bytes ?? null;
  else degradations.push({ missing: 'the server\'s WAL rate (pg_stat_wal)', fix: 'upgrade to PostgreSQL 14 or later', blocksVerdict: false });
  const activity = await clientBackends(session);
  const sample: PrimarySample = { at: clock.at_ms, tables, statements, walBytes, nextXid: clock.next_xid };
  const horizon = withHorizon ? await readHorizon(session, facts.versionNum) : undefined;
  return { facts, sample, activity, horizon, volatility: await functionVolatility(session, functions), degradations };
}

interface TableQueryRow {
  schema: string;
  relname: string;
  inserts: number;
  updates: number;
  hot_updates: number;
  deletes: number;
  live: number;
  dead: number;
  inserts_since_vacuum: number | null;
  reltuples: number;
  since_vacuum_s: number | null;
  reloptions: string[] | null;
}

function toTableRow(r: TableQueryRow): TableStatsRow {
  const options = new Map((r.reloptions ?? []).map((o) => [o.slice(0, o.indexOf('=')), o.slice(o.indexOf('=') + 1)]));
  const num = (key: string) => (options.has(key) ? Number(options.get(key)) : null);
  return {
    name: `${r.schema}.${r.relname}`,
    schema: r.schema,
    relname: r.relname,
    inserts: r.inserts,
    updates: r.updates,
    hotUpdates: r.hot_updates,
    deletes: r.deletes,
    liveTuples: r.live,
    deadTuples: r.dead,
    insertsSinceVacuum: r.inserts_since_vacuum,
    reltuples: r.reltuples,
    sinceVacuumSeconds: r.since_vacuum_s,
    autovacuumEnabled: !/^(false|off|no|0)$/i.test(options.get('autovacuum_enabled') ?? 'true'),
    vacuumThreshold: num('autovacuum_vacuum_threshold'),
    vacuumScaleFactor: num('autovacuum_vacuum_scale_factor'),
    insertThreshold: num('autovacuum_vacuum_insert_threshold'),
    insertScaleFactor: num('autovacuum_vacuum_insert_scale_factor'),
  };
}

/** pg_stat_statements of this database, or null with the setup step that is missing. */
async function readStatements(session: Session, degradations: Degradation[]): Promise<StatementRow[] | null> {
  const q = session.client;
  const setup = await readStatStatementsSetup(q);
  const missing = 'statements (writes per statement, reads that could move to replicas, offload candidates)';
  if (setup.preloaded === false) {
    degradations.push({ missing, fix: `${PRELOAD_FIX}, then ${createExtensionFix(setup.database)}`, blocksVerdict: false });
    return null;
  }
  if (!setup.schema) {
    degradations.push({ missing, fix: createExtensionFix(setup.database), blocksVerdict: false });
    return null;
  }
  try {
    const view = `${quoteIdent(setup.schema)}.pg_stat_statements`;
    const columns = new Set((await q.query<{ attname: string }>(STAT_STATEMENTS_COLUMNS, [view])).rows.map((r) => r.attname));
    if (!columns.has('wal_bytes')) degradations.push({ missing: 'WAL bytes per statement', fix: 'upgrade to PostgreSQL 13 or later and ALTER EXTENSION pg_stat_statements UPDATE;', blocksVerdict: false });
    const { rows } = await q.query(statStatementsSql(setup.schema, columns));
    return rows.map((r) => ({ key: r.key, queryid: r.queryid, query: r.query, user: r.username, calls: r.calls, totalMs: r.total_ms, rows: r.rows, walBytes: r.wal_bytes }));
  } catch (err) {
    if (!isNotLoadedError(err)) throw err;
    degradations.push({ missing, fix: PRELOAD_FIX, blocksVerdict: false });
    return null;
  }
}

async function readHorizon(session: Session, versionNum: number): Promise<HorizonRead> {
  const q = session.client;
  const av = (await q.query(AUTOVACUUM_SETTINGS)).rows[0];
  return {
    sessions: (await q.query<SessionHolderRow>(HORIZON_SESSIONS)).rows,
    slots: (await q.query(replicationSlotsSql(versionNum))).rows.map((r) => ({
      name: r.slot_name,
      type: r.slot_type,
      active: r.active,
      xminAge: r.xmin_age,
      catalogXminAge: r.catalog_xmin_age,
      retainedBytes: r.retained_bytes,
      walStatus: r.wal_status,
      database: r.database,
      plugin: r.plugin,
    })),
    prepared: (await q.query<PreparedRow>(PREPARED_TRANSACTIONS)).rows,
    feedback: (await q.query<FeedbackRow>(STANDBY_FEEDBACK)).rows,
    databases: (await q.query(DATABASE_AGES)).rows.map((r) => ({ database: r.datname, xidAge: r.xid_age })),
    autovacuum: {
      enabled: av.enabled,
      vacuumThreshold: av.vacuum_threshold,
      vacuumScaleFactor: av.vacuum_scale_factor,
      insertThreshold: av.insert_threshold,
      insertScaleFactor: av.insert_scale_factor,
    },
  };
}

/** Volatility of the functions the statements call, by name; names missing from the result are unknown here. */
async function functionVolatility(session: Session, names: string[]): Promise<Map<string, boolean>> {
  if (names.length === 0) return new Map();
  const { rows } = await session.client.query<{ name: string; volatile: boolean }>(FUNCTION_VOLATILITY, [names]);
  return new Map(rows.map((r) => [r.name, r.volatile]));
}

/** The same lookup in a session of its own, for functions only statements new in the second sample call. */
export async function readFunctionVolatility(primary: NodeEndpoint, names: string[], timeouts: NodeTimeouts): Promise<Map<string, boolean> | string> {
  if (names.length === 0) return new Map();
  const outcome = await onNode(primary, 'postgres', timeouts, (s) => functionVolatility(s, names));
  return outcome.ok ? outcome.value : outcome.error;
}
