import type { Client } from 'pg';
import { DbopsError } from '../core/errors';
import { EXIT } from '../core/exit-codes';
import { redactSecrets } from '../db/redact';
import { isConnectionLoss } from '../db/query-errors';
import type { LintOptions } from '../lint/types';
import { formatDuration } from '../util/duration';
import { describeBlocker, watchBlockers, type Blocker, type BlockerSample } from './blockers';
import type { MigrateEvent } from './events';
import { loadMigrationFiles } from './files';
import { lintGateError, lintPending } from './lint-gate';
import { readLiveSchema } from './live-schema';
import { dropIndexConcurrentlySql, findIndex, indexLabel, invalidIndexesOf, type IndexRef } from './invalid-indexes';
import { conflictingHolders, resolveTargets, type LockHolder, type ResolvedTarget } from './lock-holders';
import { attemptLockTimeoutMs, lockTableMode, strongLockTargets } from './lock-targets';
import { acquireRunnerLock, holdsRunnerLock, releaseRunnerLock } from './runner-lock';
import { applyLimits, lockNotHeldError, openMigrateSessions, type MigrateSessions } from './session';
import { backoffDelayMs, type MigrateSettings } from './settings';
import { migrationHeader, prepareMigrations, type MigrationStatement, type PreparedMigration } from './statements';
import { computeStatus, type StatusEntry } from './status';
import { ensureTrackingTables, readTracking, recordApplied, recordProgress } from './tracking';
import { dbopsCommand } from '../core/dbops-command';

export interface ApplyOptions {
  settings: MigrateSettings;
  allowChanged: boolean;
  wait: boolean;
  waitTimeoutMs?: number;
  dbopsVersion: string;
  /** Who ran it, for the tracking row: os-user@host. */
  appliedFrom: string;
  /** Aborting cancels the running statement, rolls back and ends with exit code 130. */
  signal?: AbortSignal;
  onEvent: (e: MigrateEvent) => void;
  /** The lint gate: pending migrations are linted with these options before anything runs. */
  lint: LintOptions;
  /** Colour in the rendered lint findings. */
  color: boolean;
}

/** PostgreSQL errors after which the same migration may well succeed a little later. */
const RETRYABLE = new Set(['55P03', '40P01']);

interface PgError {
  code?: string;
  message?: string;
  position?: string;
  detail?: string;
}

/** How often the runner looks again at who holds a conflicting lock while it waits. */
const HOLDER_POLL_MS = 100;

/** The lock wait allowed for one unit of work: a transactional file, or one statement outside a transaction. */
class WaitBudget {
  private readonly started = Date.now();
  constructor(readonly ms: number) {}
  remaining(): number {
    return Math.max(0, this.started + this.ms - Date.now());
  }
  spent(): boolean {
    return this.remaining() === 0;
  }
}

interface StatementFailure {
  /** Undefined only when an empty file's tracking row could not be written. */
  statement?: MigrationStatement;
  error: PgError;
  sample?: BlockerSample;
}

/** Applies every pending migration, one runner at a time, under the lock and statement timeouts. */
export async function applyMigrations(opts: ApplyOptions): Promise<void> {
  const { settings } = opts;
  const { files, warnings } = loadMigrationFiles(settings.dir);
  const sessions = await openMigrateSessions(settings.url, settings);
  const runner = new Runner(sessions, opts);
  const onAbort = () => void runner.cancel();
  opts.signal?.addEventListener('abort', onAbort);
  let locked = false;
  try {
    await acquireRunnerLock(sessions.runner.client, {
      wait: opts.wait,
      waitTimeoutMs: opts.waitTimeoutMs,
      onWaiting: (holder) => opts.onEvent({ type: 'waiting-for-runner', holder }),
      signal: opts.signal,
      interrupted: () => interrupted(),
    });
    locked = true;
    if (!(await holdsRunnerLock(sessions.runner.client))) throw lockNotHeldError(sessions.runner.target.label);
    await ensureTrackingTables(sessions.runner.client);
    const status = computeStatus(files, await readTracking(sessions.runner.client));
    refuseDrift(status.changed, status.pending, opts.allowChanged);
    for (const message of warnings) opts.onEvent({ type: 'warning', message });
    for (const m of status.missing) opts.onEvent({ type: 'warning', message: `${m.version}_${m.name} was applied but its file is missing` });
    for (const m of status.pending.filter((p) => p.outOfOrder)) {
      opts.onEvent({ type: 'warning', message: `${m.file!.displayPath} is older than the latest applied migration: applying it out of order` });
    }
    const existingSchema = status.pending.length > 0 ? await runner.readSchema() : undefined;
    const migrations = await prepareMigrations(status.pending.map((e) => e.file!), { ...settings, existingSchema });
    const prepared = migrations.map((migration, i) => ({ migration, entry: status.pending[i] }));
    const lint = await lintPending(migrations, opts.lint, opts.color, existingSchema);
    if (lint.findings.length > 0) opts.onEvent({ type: 'lint', findings: lint.findings, errors: lint.errors, rendered: lint.rendered });
    if (lint.errors > 0) throw lintGateError(lint.errors);
    opts.onEvent({
      type: 'start',
      target: sessions.runner.target.label,
      pending: prepared.length,
      upToDate: status.applied.length + status.changed.length,
      lockTimeoutMs: settings.lockTimeoutMs,
      lockTimeoutStartMs: settings.lockTimeoutStartMs,
      lockWaitBudgetMs: settings.lockWaitBudgetMs,
      watchHolders: settings.watchHolders,
      statementTimeoutMs: settings.statementTimeoutMs,
      retries: settings.retries,
    });
    for (const { entry, migration } of prepared) await runner.apply(migration, entry);
  } finally {
    opts.signal?.removeEventListener('abort', onAbort);
    if (locked) await releaseRunnerLock(sessions.runner.client).catch(() => undefined);
    await sessions.close();
  }
}

function refuseDrift(changed: StatusEntry[], pending: StatusEntry[], allowChanged: boolean): void {
  if (allowChanged) return;
  if (changed.length > 0) {
    const names = changed.map((c) => c.file!.displayPath).join(', ');
    throw new DbopsError(`${changed.length} applied migration${changed.length > 1 ? 's were' : ' was'} changed after being applied: ${names}`, {
      exitCode: EXIT.failed,
      hint: `restore the applied version (see \`${dbopsCommand('migrate status')}\`), put the change in a new migration, or rerun with --allow-changed`,
    });
  }
  const restarted = pending.find((p) => p.changedSinceStarted);
  if (restarted) {
    throw new DbopsError(`${restarted.file!.displayPath} changed since an interrupted run applied ${restarted.statementsDone} of its statements`, {
      exitCode: EXIT.failed,
      hint: 'restore the file as it was, or rerun with --allow-changed to continue by statement position anyway',
    });
  }
}

class Runner {
  private readonly client: Client;
  private cancelled = false;
  /** The lock_timeout of the attempt in flight. */
  private attemptTimeoutMs: number;
  /** INVALID indexes our own failed builds left, to drop before the next attempt. */
  private leftovers: IndexRef[] = [];

  constructor(
    private readonly sessions: MigrateSessions,
    private readonly opts: ApplyOptions,
  ) {
    this.client = sessions.runner.client;
    this.attemptTimeoutMs = opts.settings.lockTimeoutMs;
  }

  async cancel(): Promise<void> {
    this.cancelled = true;
    await this.sessions.monitor.client.query('SELECT pg_cancel_backend($1)', [this.sessions.runnerPid]).catch(() => undefined);
  }

  /**
   * The live schema for the effects model. It reads catalog rows only, so a table locked by
   * another session does not stall it; a lock wait on a catalog table itself is retried like any
   * other, its blocker named.
   */
  async readSchema(): Promise<string> {
    const { settings } = this.opts;
    for (let attempt = 1; ; attempt++) {
      const out = await watchBlockers(this.sessions.monitor.client, this.sessions.runnerPid, this.sampleIntervalMs(), () => readLiveSchema(this.client));
      if (!('error' in out)) return out.result!;
      const error = out.error as PgError;
      if (!RETRYABLE.has(error.code ?? '')) throw error;
      const waiting = out.sample?.waitingFor ? ` waiting for ${out.sample.waitingFor}` : '';
      const blocker = out.sample?.blockers[0];
      const who = blocker ? `; blocked by ${describeBlocker(blocker)}` : '';
      if (attempt > settings.retries) {
        throw new DbopsError(`reading the schema from the catalog: gave up after ${attempt} attempts: lock timeout${waiting}${who}`, {
          exitCode: EXIT.failed,
          hint: `nothing was applied; end or wait out the blocking session${blocker ? ` (pid ${blocker.pid})` : ''} and rerun`,
        });
      }
      const retryInMs = backoffDelayMs(attempt, settings.retryDelayMs, settings.maxRetryDelayMs);
      this.emit({ type: 'warning', message: `reading the schema from the catalog hit a lock timeout${waiting}${who}; retry ${attempt}/${settings.retries} in ${formatDuration(retryInMs)}` });
      await this.sleep(retryInMs);
      if (this.cancelled) throw interrupted();
    }
  }

  async apply(m: PreparedMigration, entry: StatusEntry): Promise<void> {
    const resumeAfter = entry.statementsDone ?? 0;
    this.emit({ type: 'migration-start', ...migrationHeader(m), statements: m.statements.length, resumeAfter });
    const started = Date.now();
    const { attempts, statementsRun } = m.transactional ? await this.applyInOneTransaction(m) : await this.applyStepwise(m, entry);
    const durationMs = Date.now() - started;
    this.emit({ type: 'migration-done', version: m.file.version, file: m.file.displayPath, durationMs, attempts, statementsRun });
  }

  private emit(e: MigrateEvent): void {
    this.opts.onEvent(e);
  }

  private record(m: PreparedMigration, durationMs: number): Promise<void> {
    return recordApplied(this.client, {
      version: m.file.version,
      name: m.file.name,
      checksum: m.file.checksum,
      durationMs,
      appliedBy: `${this.sessions.role} (${this.opts.appliedFrom})`,
      dbopsVersion: this.opts.dbopsVersion,
    });
  }

  /** The whole file and its tracking row commit together, or not at all. */
  private async applyInOneTransaction(m: PreparedMigration): Promise<{ attempts: number; statementsRun: number }> {
    const budget = new WaitBudget(this.opts.settings.lockWaitBudgetMs);
    const applied = 'the migration was rolled back: nothing from this file was applied';
    for (let attempt = 1; ; attempt++) {
      await this.prepareAttempt();
      const targets = await this.targetsOf(m.statements);
      await this.waitForHolders(m, targets, budget, 'nothing from this file was applied');
      await this.setAttemptLockTimeout(targets, attempt);
      const started = Date.now();
      await this.client.query('BEGIN');
      let failure = await this.lockInOrder(m, targets, attempt);
      for (const st of failure ? [] : m.statements) {
        failure = await this.execute(m, st, attempt);
        if (failure) break;
      }
      if (!failure) {
        const last = m.statements[m.statements.length - 1];
        try {
          await this.record(m, Date.now() - started);
          await this.client.query('COMMIT');
          return { attempts: attempt, statementsRun: m.statements.length };
        } catch (error) {
          failure = { statement: last, error: error as PgError };
        }
      }
      await this.client.query('ROLLBACK').catch(() => undefined);
      await this.afterFailure(m, failure, attempt, applied, budget);
    }
  }

  /** The strong locks the statements need on relations that exist now (resolved from the catalog). */
  private async targetsOf(statements: MigrationStatement[]): Promise<ResolvedTarget[]> {
    const wanted = strongLockTargets(statements);
    return wanted.length === 0 ? [] : resolveTargets(this.sessions.monitor.client, wanted);
  }

  /**
   * Waits, holding no lock and no transaction, while sessions hold (or queue for) locks that
   * conflict with the targets: asking for the lock now would queue every reader and writer of
   * the table behind us until our lock_timeout. Holders whose transaction is younger than the
   * first attempt's timeout do not count: they are most likely short, and the attempt's own
   * short timeout bounds the queue if not.
   */
  private async waitForHolders(m: PreparedMigration, targets: ResolvedTarget[], budget: WaitBudget, whatWasApplied: string): Promise<void> {
    const { settings } = this.opts;
    if (!settings.watchHolders || targets.length === 0) return;
    const started = Date.now();
    let shown = '';
    let line = targets[0].statement.line;
    for (;;) {
      if (this.cancelled) throw interrupted(whatWasApplied);
      const holders = await conflictingHolders(this.sessions.monitor.client, targets, [this.sessions.runnerPid], settings.lockTimeoutStartMs);
      if (holders.length === 0) {
        if (shown) this.emit({ type: 'lock-wait-over', version: m.file.version, line, waitedMs: Date.now() - started });
        return;
      }
      const first = holders[0];
      const target = targets.find((t) => t.oid === first.relid) ?? targets[0];
      line = target.statement.line;
      if (budget.spent()) throw this.budgetSpent(m, line, `${first.wanted} on ${first.relation}`, first, budget, whatWasApplied);
      const key = holders.map((h) => `${h.pid}:${h.relid}`).join(',');
      if (key !== shown) {
        shown = key;
        this.emit({ type: 'lock-wait', version: m.file.version, file: m.file.displayPath, line, waitingFor: `${first.wanted} on ${first.relation}`, blockers: holders, waitedMs: Date.now() - started });
      }
      await this.sleep(Math.min(HOLDER_POLL_MS, Math.max(1, budget.remaining())));
    }
  }

  private budgetSpent(m: PreparedMigration, line: number, waitingFor: string | null, holder: LockHolder | Blocker | undefined, budget: WaitBudget, whatWasApplied: string): DbopsError {
    const who = holder ? `; held by ${describeBlocker(holder)}` : '';
    return new DbopsError(`${m.file.displayPath}:${line}: gave up after waiting ${formatDuration(budget.ms)} (the lock wait budget)${waitingFor ? ` for ${waitingFor}` : ' for a lock'}${who}`, {
      exitCode: EXIT.failed,
      hint: `${whatWasApplied}; end or wait out the blocking session${holder ? ` (pid ${holder.pid})` : ''} and rerun, or raise --lock-wait-budget`,
    });
  }

  /** This attempt's lock_timeout: short first, doubling up to the cap; the cap when no strong lock is at stake. */
  private async setAttemptLockTimeout(targets: ResolvedTarget[], attempt: number): Promise<void> {
    const { settings } = this.opts;
    this.attemptTimeoutMs = targets.length === 0 ? settings.lockTimeoutMs : attemptLockTimeoutMs(attempt, settings.lockTimeoutStartMs, settings.lockTimeoutMs);
    await this.client.query("SELECT set_config('lock_timeout', $1, false)", [`${this.attemptTimeoutMs}ms`]);
  }

  /**
   * Takes the strong locks of a transactional file up front, in the order its statements first
   * need them, so two migrations cannot deadlock on each other and a failed attempt has done no work.
   */
  private async lockInOrder(m: PreparedMigration, targets: ResolvedTarget[], attempt: number): Promise<StatementFailure | undefined> {
    const tables = targets.filter((t) => t.relkind === 'r' || t.relkind === 'p');
    if (tables.length < 2) return undefined;
    for (const t of tables) {
      const sql = `LOCK TABLE ONLY ${this.client.escapeIdentifier(t.schemaName)}.${this.client.escapeIdentifier(t.relname)} IN ${lockTableMode(t.mode)} MODE`;
      const failure = await this.execute(m, { ...t.statement, text: sql }, attempt);
      if (failure) return { ...failure, statement: t.statement };
    }
    return undefined;
  }

  /**
   * Statement by statement, each committed on its own with a progress row, so a rerun continues
   * after the last statement that completed. Statements that can run in a transaction commit
   * together with their progress row.
   */
  private async applyStepwise(m: PreparedMigration, entry: StatusEntry): Promise<{ attempts: number; statementsRun: number }> {
    const done = entry.statementsDone ?? 0;
    const started = Date.now();
    let maxAttempts = 1;
    let statementsRun = 0;
    for (const st of m.statements.slice(done)) {
      const budget = new WaitBudget(this.opts.settings.lockWaitBudgetMs);
      for (let attempt = 1; ; attempt++) {
        await this.prepareAttempt();
        const before = st.index === 0 ? 'nothing from this file was applied' : `statements before line ${st.line} were applied and recorded; a rerun continues at line ${st.line}`;
        const targets = await this.targetsOf([st]);
        await this.waitForHolders(m, targets, budget, before);
        await this.setAttemptLockTimeout(targets, attempt);
        const failure = st.noTransaction ? await this.executeAlone(m, st, attempt) : await this.executeWithProgress(m, st, attempt);
        if (!failure) break;
        await this.afterFailure(m, failure, attempt, before, budget);
        maxAttempts = Math.max(maxAttempts, attempt + 1);
      }
      statementsRun++;
    }
    await this.client.query('BEGIN');
    try {
      await this.record(m, Date.now() - started);
      await this.client.query('COMMIT');
    } catch (err) {
      await this.client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
    return { attempts: maxAttempts, statementsRun };
  }

  private async executeWithProgress(m: PreparedMigration, st: MigrationStatement, attempt: number): Promise<StatementFailure | undefined> {
    await this.client.query('BEGIN');
    let failure = await this.execute(m, st, attempt);
    if (!failure) {
      try {
        await recordProgress(this.client, m.file.version, st.index, m.file.checksum);
        await this.client.query('COMMIT');
        return undefined;
      } catch (error) {
        failure = { statement: st, error: error as PgError };
      }
    }
    await this.client.query('ROLLBACK').catch(() => undefined);
    return failure;
  }

  /** A statement that cannot run in a transaction; concurrent index builds clean up after themselves. */
  private async executeAlone(m: PreparedMigration, st: MigrationStatement, attempt: number): Promise<StatementFailure | undefined> {
    const build = st.concurrentIndex;
    if (build) {
      const cleanupFailure = await this.dropLeftovers(m, st);
      if (cleanupFailure) return cleanupFailure;
      if (build.kind === 'create' && build.index) {
        const existing = await findIndex(this.client, build.schema, build.index);
        if (existing?.valid) {
          // The build finished but the run died before recording it.
          this.emit({ type: 'note', version: m.file.version, message: `index ${indexLabel(existing)} already exists and is valid: counted as built` });
          await recordProgress(this.client, m.file.version, st.index, m.file.checksum);
          return undefined;
        }
      }
    }
    const invalidBefore = build ? new Set((await this.invalidIndexesOf(build)).map((i) => i.oid)) : undefined;
    const failure = await this.execute(m, st, attempt);
    if (!failure) {
      await recordProgress(this.client, m.file.version, st.index, m.file.checksum);
      return undefined;
    }
    if (invalidBefore) {
      const left = (await this.invalidIndexesOf(build!).catch(() => [])).filter((i) => !invalidBefore.has(i.oid));
      for (const ix of left) {
        this.emit({ type: 'invalid-index', version: m.file.version, index: indexLabel(ix), action: 'dropping', cause: `left INVALID by the failed ${st.noTransaction}` });
      }
      this.leftovers.push(...left);
      if (!RETRYABLE.has(failure.error.code ?? '')) await this.dropLeftovers(m, st);
    }
    return failure;
  }

  /** Drops INVALID indexes a failed build left (this run's, or an interrupted earlier run's) before building again. */
  private async dropLeftovers(m: PreparedMigration, st: MigrationStatement): Promise<StatementFailure | undefined> {
    const build = st.concurrentIndex!;
    // Without a name, an INVALID index on the table may be anyone's: only this run's own are dropped.
    const named = build.kind === 'reindex' || build.index !== undefined;
    const earlier = named ? await this.invalidIndexesOf(build) : [];
    const fromEarlierRun = earlier.filter((ix) => !this.leftovers.some((l) => l.oid === ix.oid));
    for (const ix of fromEarlierRun) {
      this.emit({ type: 'invalid-index', version: m.file.version, index: indexLabel(ix), action: 'dropping', cause: 'left INVALID by an earlier interrupted run' });
    }
    this.leftovers.push(...fromEarlierRun);
    while (this.leftovers.length > 0) {
      const ix = this.leftovers[0];
      const out = await watchBlockers(this.sessions.monitor.client, this.sessions.runnerPid, this.sampleIntervalMs(), () => this.client.query(dropIndexConcurrentlySql(ix)));
      if ('error' in out) return { statement: st, error: out.error as PgError, sample: out.sample };
      this.leftovers.shift();
      this.emit({ type: 'invalid-index', version: m.file.version, index: indexLabel(ix), action: 'dropped', cause: 'with DROP INDEX CONCURRENTLY' });
    }
    return undefined;
  }

  private invalidIndexesOf(build: NonNullable<MigrationStatement['concurrentIndex']>): Promise<IndexRef[]> {
    return invalidIndexesOf(this.client, build, this.sessions.serverVersionNum);
  }

  private sampleIntervalMs(): number {
    return Math.max(20, Math.min(250, Math.floor(this.attemptTimeoutMs / 4)));
  }

  /** Runs one statement while the monitor records who blocks it. */
  private async execute(m: PreparedMigration, st: MigrationStatement, attempt: number): Promise<StatementFailure | undefined> {
    this.emit({ type: 'statement-start', version: m.file.version, index: st.index, line: st.line, text: st.text, attempt });
    const out = await watchBlockers(
      this.sessions.monitor.client,
      this.sessions.runnerPid,
      this.sampleIntervalMs(),
      () => this.client.query(st.text),
      (sample) => this.emit({ type: 'waiting', version: m.file.version, line: st.line, waitingFor: sample.waitingFor, blockers: sample.blockers }),
    );
    return 'error' in out ? { statement: st, error: out.error as PgError, sample: out.sample } : undefined;
  }

  private async prepareAttempt(): Promise<void> {
    if (this.cancelled) throw interrupted();
    await applyLimits(this.client, this.opts.settings, this.sessions.serverVersionNum);
  }

  /** Decides what a failure means: retry after a backoff (holding no transaction), or give up with a clear error. */
  private async afterFailure(m: PreparedMigration, f: StatementFailure, attempt: number, whatWasApplied: string, budget?: WaitBudget): Promise<void> {
    const { settings } = this.opts;
    const where = `${m.file.displayPath}:${lineOf(f)}`;
    if (this.cancelled) throw interrupted(whatWasApplied);
    if (isConnectionLoss(f.error)) {
      throw new DbopsError(`${where}: lost the connection to ${this.sessions.runner.target.label}: ${redactSecrets(f.error.message ?? '')}`, {
        exitCode: EXIT.database,
        hint: `the server rolls back what was in progress (${whatWasApplied}); rerun when it is back`,
      });
    }
    const code = f.error.code ?? '';
    if (!RETRYABLE.has(code)) {
      const fix = code === '57014' ? `raise --statement-timeout (now ${formatDuration(settings.statementTimeoutMs)}) or make the statement cheaper` : 'fix the migration and rerun';
      throw new DbopsError(`${where}: ${redactSecrets(f.error.message ?? String(f.error))}${code ? ` (SQLSTATE ${code})` : ''}`, {
        exitCode: EXIT.failed,
        hint: `${whatWasApplied}; ${fix}`,
      });
    }
    const blockers = f.sample?.blockers ?? [];
    const maxAttempts = settings.retries + 1;
    if (budget?.spent()) throw this.budgetSpent(m, lineOf(f), f.sample?.waitingFor ?? null, blockers[0], budget, whatWasApplied);
    if (attempt >= maxAttempts) {
      const why = code === '55P03' ? `lock timeout every time (the last after ${formatDuration(this.attemptTimeoutMs)})` : 'deadlock every time';
      const waiting = f.sample?.waitingFor ? ` waiting for ${f.sample.waitingFor}` : '';
      const who = blockers.length > 0 ? `; blocked by ${describeBlocker(blockers[0])}` : '';
      throw new DbopsError(`${where}: gave up after ${attempt} attempts: ${why}${waiting}${who}`, {
        exitCode: EXIT.failed,
        hint: `${whatWasApplied}; end or wait out the blocking session${blockers.length > 0 ? ` (pid ${blockers[0].pid})` : ''} and rerun`,
      });
    }
    const backoff = backoffDelayMs(attempt, settings.retryDelayMs, settings.maxRetryDelayMs);
    const retryInMs = budget ? Math.min(backoff, budget.remaining()) : backoff;
    this.emit({
      type: 'lock-timeout',
      lockTimeoutMs: this.attemptTimeoutMs,
      version: m.file.version,
      file: m.file.displayPath,
      line: lineOf(f),
      sqlstate: code,
      attempt,
      maxAttempts,
      waitingFor: f.sample?.waitingFor ?? null,
      blockers,
      retryInMs,
    });
    await this.sleep(retryInMs);
    if (this.cancelled) throw interrupted(whatWasApplied);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const signal = this.opts.signal;
      function done() {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      }
      signal?.addEventListener('abort', done);
    });
  }
}

/** The line of the failing token: the statement's line plus the server's error position within it. */
function lineOf(f: StatementFailure): number {
  if (!f.statement) return 1;
  const pos = Number(f.error.position);
  if (!pos) return f.statement.line;
  return f.statement.line + (f.statement.text.slice(0, pos - 1).match(/\n/g)?.length ?? 0);
}

function interrupted(whatWasApplied = 'nothing was in progress'): DbopsError {
  return new DbopsError('interrupted', { exitCode: EXIT.interrupted, hint: `${whatWasApplied}; rerun to continue` });
}
