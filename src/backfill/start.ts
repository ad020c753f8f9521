import * as os from 'node:os';
import type { Client } from 'pg';
import { DbopsError, UsageError } from '../core/errors';
import { EXIT } from '../core/exit-codes';
import type { LoadedConfig } from '../config/load';
import { openSession, type Session } from '../db/connect';
import { refuseTransactionPooling } from '../db/pooling';
import { describeQueryError, isConnectionLoss } from '../db/query-errors';
import { redactSecrets } from '../db/redact';
import { prefetchParser } from '../lint/parser-prefetch';
import { resolveTopology, type Topology } from '../replication/lag/collect';
import { batchSqlText, estimateRows, prepareSpec, previewBatches, type SpecInput } from './prepare';
import { jsonProgress, plainProgress, terminalProgress, type ProgressSink } from './progress';
import { claimedError, ownerProcessGone, processAlive } from './claim';
import { blindSpots, LagWatcher } from './replica-lag';
import { resumeCommand } from './resume-command';
import { BackfillRunner, type RunSettings } from './runner';
import { attachRunner, createState, ensureStateTable, findClaimHolder, readState, stateTableExists, tryLockRunner } from './state-store';
import { installStopHandlers } from './stop-request';
import type { BackfillSpec, BackfillState } from './types';
import type { TextOrJson } from '../output/formats';

export const APPLICATION_NAME = 'dbops backfill';

/** How often replica lag is re-read in the background while a replica is near the limit (the interval grows while all are far below it). */
const LAG_POLL_MS = 100;

export interface RunRequest extends SpecInput {
  url?: string;
  replicas: string[];
  settings: RunSettings;
  config: LoadedConfig;
  dryRun: boolean;
  format: TextOrJson;
  /** The command line, for "rerun this to resume" (secrets are redacted before printing). */
  argv: string[];
}

export interface Output {
  out(line: string): void;
  err(line: string): void;
  terminal: NodeJS.WriteStream | null;
}

/** `dbops backfill run`: prepare, then dry-run or take the runner lock and walk the table. Returns the exit code. */
export async function runBackfill(req: RunRequest, io: Output): Promise<number> {
  // --set/--where are parsed after the catalog reads: compile the parser meanwhile. A backfill
  // parses a few statements, and V8's optimising tier for the parser's WASM (which the prefetch
  // turns off) cost ~0.5 s of CPU in the background and held the process's exit until it was done.
  prefetchParser();
  for (const message of req.settings.notices) {
    if (req.format === 'json') io.out(JSON.stringify({ event: 'warning', message }));
    else io.err(`warning: ${message}`);
  }
  const url = req.url ?? req.config.config.database?.url;
  const { session, probe } = await openSessionAndProbe(url);
  const { client } = session;
  try {
    await refusePooledConnection(session, probe);
    // Cursor values travel as text: make timestamps print unambiguously whatever the server default.
    // Preparation (catalog reads, EXPLAIN) waits for locks no longer than a batch would.
    // --set/--where were tokenised as the parser does by default (backslashes are plain characters
    // in '…'); the server must read them the same way, whatever its standard_conforming_strings.
    await client.query(
      "SELECT set_config('DateStyle', 'ISO, YMD', false), set_config('lock_timeout', $1, false), set_config('standard_conforming_strings', 'on', false)",
      [`${Math.round(req.settings.lockTimeoutMs)}ms`],
    );
    const spec = await prepareSpec(client, req).catch((err) => {
      if ((err as { code?: string }).code !== '55P03') throw err;
      throw new DbopsError(`${req.table} is locked by another session (lock timeout while preparing the backfill)`, {
        exitCode: EXIT.failed,
        hint: 'see who holds it in pg_locks and pg_stat_activity, then rerun',
      });
    });
    if (req.dryRun) {
      await dryRun(spec, req, client, io);
      return EXIT.ok;
    }
    await ensureStateTable(client).catch((err) => {
      if ((err as { code?: string }).code !== '42501') throw err;
      throw new DbopsError(`cannot create dbops.backfills: ${(err as Error).message}`, {
        exitCode: EXIT.database,
        hint: 'run once as a role that may CREATE in this database, or create schema dbops owned by this role',
      });
    });
    if (!(await tryLockRunner(client, spec.name))) {
      const owner = (await readState(client, spec.name))?.owner ?? null;
      throw claimedError(spec.name, owner, await findClaimHolder(client, spec.name), ownerProcessGone(owner, os.hostname(), processAlive));
    }
    const state = await claimState(spec, client);
    if (state.status === 'done') {
      io.out(`backfill ${spec.name} is already done (${state.rowsDone} rows updated); nothing to do`);
      return EXIT.ok;
    }
    return await walk(spec, state, req, url, client, io);
  } catch (err) {
    if (err instanceof DbopsError || !isConnectionLoss(err)) throw err;
    throw describeQueryError(err, 'preparing the backfill', 'grant the privilege named and rerun');
  } finally {
    await session.close();
  }
}

/**
 * The runner's session and the second one the pooling check needs, connected at the same time
 * (one after the other cost a connection's set-up, ~25 ms of a short backfill). When either
 * fails, the other is closed and the first error is the one reported.
 */
async function openSessionAndProbe(url: string | undefined): Promise<{ session: Session; probe: Session }> {
  const [session, probe] = await Promise.allSettled([
    openSession({ url, applicationName: APPLICATION_NAME }),
    openSession({ url, applicationName: `${APPLICATION_NAME} (probe)` }),
  ]);
  if (session.status === 'fulfilled' && probe.status === 'fulfilled') return { session: session.value, probe: probe.value };
  for (const opened of [session, probe]) if (opened.status === 'fulfilled') await opened.value.close();
  throw (session.status === 'rejected' ? session.reason : (probe as PromiseRejectedResult).reason) as Error;
}

/**
 * The runner lock is a session advisory lock and the runner's settings are session settings:
 * through a transaction-pooling proxy both would land on pooled server connections (and the
 * lock outlive this process), so refuse before setting or locking anything.
 */
async function refusePooledConnection(session: Session, probe: Session): Promise<void> {
  try {
    await refuseTransactionPooling(session, probe, { command: 'dbops backfill run', sessionState: 'its runner lock and per-session settings' });
  } finally {
    await probe.close();
  }
}

/** Creates the state row, or checks that the existing one is for the same spec and can resume. */
async function claimState(spec: BackfillSpec, client: Client): Promise<BackfillState> {
  const owner = `${os.hostname()} pid ${process.pid}`;
  const existing = await readState(client, spec.name);
  if (!existing) {
    const { total } = await estimateRows(client, spec);
    await createState(client, spec, total, owner);
  } else {
    if (existing.specChecksum !== spec.checksum) {
      throw new UsageError(
        `backfill ${spec.name} already exists with a different spec (table ${existing.tableName}, ${describeChange(existing.spec.change)})`,
        'rerun with the original flags to resume it, or give this one its own --name',
      );
    }
    if (existing.status === 'done') return existing;
    if (existing.status === 'cancelled') {
      throw new DbopsError(`backfill ${spec.name} was cancelled`, { exitCode: EXIT.failed, hint: 'start it again under another --name' });
    }
    await attachRunner(client, spec.name, owner, existing.estimatedRows === null ? (await estimateRows(client, spec)).total : null);
  }
  return (await readState(client, spec.name))!;
}

function describeChange(change: BackfillSpec['change']): string {
  if (change.kind === 'sql') return `--sql ${change.file}`;
  return change.where === undefined ? `--set "${change.set}"` : `--set "${change.set}" --where "${change.where}"`;
}

async function walk(spec: BackfillSpec, state: BackfillState, req: RunRequest, url: string | undefined, client: Client, io: Output): Promise<number> {
  const progress = progressFor(req.format, io);
  const lag = req.settings.lagLimit ? new LagWatcher(topologyFor(req, url), { baseIntervalMs: LAG_POLL_MS, limit: req.settings.lagLimit }) : undefined;
  const stop = installStopHandlers(() => process.exit(EXIT.interrupted));
  try {
    progress.emit({
      event: 'start',
      name: spec.name,
      table: spec.table.display,
      key: spec.table.key.map((k) => k.name),
      estimatedRows: state.estimatedRows,
      resumedFrom: state.cursor,
      rowsDone: state.rowsDone,
      rowsScanned: state.rowsScanned,
    });
    if (lag) {
      await lag.read();
      const replicas = lag.nodes.filter((n) => n.role !== 'primary' || !n.reachable).map((n) => n.name);
      progress.emit({ event: 'watching', name: spec.name, replicas, unseen: blindSpots(lag.nodes) });
    }
    const runner = new BackfillRunner(client, spec, req.settings, progress, stop, lag?.read, state);
    const outcome = await runner.run();
    progress.close();
    if (outcome.status === 'done') return EXIT.ok;
    if (outcome.status === 'cancelled') {
      io.err(`backfill ${spec.name} was cancelled by an operator; the rows done so far stay updated`);
      return EXIT.failed;
    }
    io.err(`interrupted by ${outcome.signal}: backfill ${spec.name} is paused; rerun the same command to resume:`);
    const resume = resumeCommand(req.argv);
    io.err(`  ${redactSecrets(resume.command)}`);
    for (const line of resume.toSet) io.err(`  with ${redactSecrets(line)}`);
    return EXIT.interrupted;
  } finally {
    progress.close();
    await lag?.stop();
    stop.dispose();
  }
}

/** Replicas from --replica, else the config's topology, else the standbys the primary itself lists. */
function topologyFor(req: RunRequest, url: string | undefined): Topology {
  try {
    if (req.replicas.length > 0) return resolveTopology({ primary: url ?? process.env.DATABASE_URL, replicas: req.replicas });
    if (req.config.config.topology) return resolveTopology({}, req.config.config, req.config.path);
    return resolveTopology({ primary: url }, req.config.config, req.config.path);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    throw new UsageError(`--max-replica-lag: ${err.message}`, 'pass --url for the primary and --replica NAME=URL for each replica, or set "topology" in dbops.config.json');
  }
}

function progressFor(format: TextOrJson, io: Output): ProgressSink {
  switch (format) {
    case 'json':
      return jsonProgress(io.out);
    case 'text':
      return io.terminal ? terminalProgress(io.terminal) : plainProgress(io.err, io.out);
  }
}

async function dryRun(spec: BackfillSpec, req: RunRequest, client: Client, io: Output): Promise<void> {
  const estimate = await estimateRows(client, spec);
  const state = (await stateTableExists(client)) ? await readState(client, spec.name) : undefined;
  if (state && state.specChecksum !== spec.checksum) {
    throw new UsageError(`backfill ${spec.name} already exists with a different spec`, 'give this one its own --name');
  }
  const cursor = state?.cursor ?? null;
  const batches = await previewBatches(client, spec, cursor, req.settings.sizing.start, 3);
  const sql = batchSqlText(spec, cursor);
  if (req.format === 'json') {
    io.out(JSON.stringify({ event: 'dry-run', name: spec.name, table: spec.table.display, key: spec.table.key, keyIndex: spec.table.keyIndex, estimatedRows: estimate.total, estimatedMatching: estimate.matching, state: state ? { status: state.status, cursor: state.cursor, rowsDone: state.rowsDone } : null, sql, firstBatches: batches }));
    return;
  }
  io.out(`dry run: backfill ${spec.name} on ${spec.table.display} (nothing is written)`);
  io.out(`key: (${spec.table.key.map((k) => `${k.name} ${k.type}`).join(', ')}) via index ${spec.table.keyIndex}`);
  io.out(`estimated rows: ~${estimate.total}${estimate.matching === null ? '' : ` (~${estimate.matching} matching --where)`}`);
  if (state) io.out(`state: ${state.status}, ${state.rowsDone} rows updated in ${state.batches} batches, cursor ${state.cursor ? `(${state.cursor.join(', ')})` : 'at the start'}`);
  io.out(`batch statement ($1.. = cursor after the previous batch, last parameter = batch size ${req.settings.sizing.start}):`);
  io.out(sql.replace(/^/gm, '  '));
  io.out(batches.length ? 'first batches:' : 'first batches: none (nothing left to do)');
  batches.forEach((b, i) => io.out(`  ${i + 1}. keys (${b.first.join(', ')}) … (${b.last.join(', ')}): ${b.rows} rows`));
}
