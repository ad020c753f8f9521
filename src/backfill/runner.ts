import type { Client } from 'pg';
import { DbopsError } from '../core/errors';
import { EXIT } from '../core/exit-codes';
import { isConnectionLoss } from '../db/query-errors';
import { redactSecrets } from '../db/redact';
import { batchBounds, boundsBatch, type BatchRow } from './batch-sql';
import { changeStatement } from './prepare';
import { lagPauseReason, limitingReplica, type LagLimit, type ReplicaLag } from './lag-limit';
import type { ProgressSink } from './progress';
import { advanceCursor, lockStateForBatch, readState, setStatus } from './state-store';
import { BatchSizer, backoffMs, pauseAfterBatch, retryReason, type BatchSizing } from './throttle';
import type { BackfillSpec, BackfillState, BackfillStatus, Cursor } from './types';
import { dbopsCommand } from '../core/dbops-command';

export interface RunSettings {
  sizing: BatchSizing;
  maxRate: number | null;
  sleepMs: number;
  lagLimit: LagLimit | null;
  lockTimeoutMs: number;
  statementTimeoutMs: number;
  /** Retries of one batch on lock timeouts, deadlocks, serialization failures and statement timeouts. */
  retries: number;
  /** How often lag and the state row are re-read while paused or waiting before a batch. */
  pollMs: number;
  /** Flag values that were adjusted (e.g. a batch size above the maximum), shown before the run. */
  notices: string[];
}

/** Set by the SIGINT/SIGTERM handler; waits end early once it is set. */
export interface StopRequest {
  readonly signal: string | null;
  /** Resolves after ms, or as soon as a stop is requested. */
  sleep(ms: number): Promise<void>;
}

export type LagReader = () => Promise<ReplicaLag[]>;

export type RunOutcome =
  | { status: 'done'; rowsDone: number }
  | { status: 'interrupted'; signal: string }
  | { status: 'cancelled' };

interface BatchResult {
  scanned: number;
  updated: number;
  last: Cursor;
  ms: number;
  /** From the first row lock to the end of COMMIT. */
  lockMs: number;
  /** The whole batch, BEGIN to COMMIT, for the rate limit. */
  cycleMs: number;
  /** Pause before the next batch (rate limit or --sleep). */
  waitMs: number;
}

/**
 * The batch loop. Each batch is one transaction that locks the state row, reads the cursor, updates
 * the next keys and moves the cursor, then commits: a crash at any point either keeps the whole
 * batch with its cursor or neither. Between batches it honours operator pause/cancel, replica lag,
 * the rate limit, and SIGINT/SIGTERM.
 */
export class BackfillRunner {
  private readonly sizer: BatchSizer;
  private rowsDone: number;
  private rowsScanned: number;
  private batches: number;
  private scannedThisRun = 0;
  /** How long the last batch held its locks: the lag a replica that is behind gains during the next one. */
  private lastBatchMs = 0;
  /** The replica lag the last check before a batch saw: the limiting replica is named in its progress event. */
  private lastLags: ReplicaLag[] = [];
  /** performance.now() before which the next batch may not start (--max-rate, --sleep). */
  private notBefore = 0;
  private readonly estimatedRows: number | null;
  /** The UPDATE each batch runs between its bounds. */
  private readonly change: string;
  private readonly started = Date.now();

  constructor(
    private readonly client: Client,
    private readonly spec: BackfillSpec,
    private readonly settings: RunSettings,
    private readonly progress: ProgressSink,
    private readonly stop: StopRequest,
    private readonly readLag: LagReader | undefined,
    state: BackfillState,
  ) {
    this.sizer = new BatchSizer(settings.sizing);
    this.rowsDone = state.rowsDone;
    this.rowsScanned = state.rowsScanned;
    this.batches = state.batches;
    this.estimatedRows = state.estimatedRows;
    this.change = changeStatement(spec);
  }

  async run(): Promise<RunOutcome> {
    try {
      // Session settings, set once: the batch transactions need no statement of their own for them.
      await this.client.query("SELECT set_config('lock_timeout', $1, false), set_config('statement_timeout', $2, false)", [
        `${Math.round(this.settings.lockTimeoutMs)}ms`,
        `${Math.round(this.settings.statementTimeoutMs)}ms`,
      ]);
      return await this.loop();
    } catch (err) {
      // A DbopsError has been through fail() already; anything else (the server gone while the
      // runner waited between batches, say) is classified and recorded the same way.
      if (err instanceof DbopsError) throw err;
      return this.fail(err);
    }
  }

  private async loop(): Promise<RunOutcome> {
    for (;;) {
      if (this.stop.signal) return this.interrupted();
      let control = await this.waitWhileReplicasBehind();
      if (control === 'running') control = await this.waitForTurn();
      if (control !== 'running') {
        const outcome = await this.handleControl(control);
        if (outcome) return outcome;
        continue;
      }
      if (this.stop.signal) return this.interrupted();
      const result = await this.batchWithRetries();
      if (result === 'done') {
        this.progress.emit({ event: 'done', name: this.spec.name, rowsDone: this.rowsDone, rowsScanned: this.rowsScanned, batches: this.batches, seconds: (Date.now() - this.started) / 1000 });
        return { status: 'done', rowsDone: this.rowsDone };
      }
      if (typeof result === 'string') {
        const outcome = await this.handleControl(result);
        if (outcome) return outcome;
        continue;
      }
      this.notBefore = performance.now() + result.waitMs;
    }
  }

  /**
   * The rate limit's or --sleep's wait before the next batch, re-reading the state row every
   * pollMs so a pause or cancel from another terminal ends it (with --max-rate 1 it may be long).
   * The deadline survives a pause: resuming early does not let the next batch exceed the rate.
   */
  private async waitForTurn(): Promise<BackfillStatus> {
    for (;;) {
      const left = this.notBefore - performance.now();
      if (left <= 0 || this.stop.signal) return 'running';
      await this.stop.sleep(Math.min(left, this.settings.pollMs));
      if (this.stop.signal || this.notBefore - performance.now() <= 0) return 'running';
      const status = (await readState(this.client, this.spec.name))?.status ?? 'cancelled';
      if (status !== 'running') return status;
    }
  }

  /** Runs one batch, retrying the retryable failures with backoff; returns the status instead when it is not 'running'. */
  private async batchWithRetries(): Promise<BatchResult | 'done' | BackfillStatus> {
    for (let attempt = 1; ; attempt++) {
      const size = this.sizer.current;
      try {
        const result = await this.oneBatch(size);
        if (typeof result !== 'object') return result;
        const wait = pauseAfterBatch(result.scanned, result.cycleMs, this.settings.maxRate, this.settings.sleepMs);
        this.recordBatch(result, size, attempt - 1, wait.reason);
        return { ...result, waitMs: wait.ms };
      } catch (err) {
        const reason = retryReason(err);
        if (!reason || attempt > this.settings.retries) return this.fail(err, reason ? `${reason} ${attempt} times in a row` : undefined);
        if (reason === 'statement timeout') this.sizer.halve();
        const waitMs = backoffMs(attempt);
        this.progress.emit({ event: 'retry', name: this.spec.name, reason, attempt, waitMs, error: (err as Error).message });
        await this.stop.sleep(waitMs);
        if (this.stop.signal) return 'paused';
      }
    }
  }

  private async oneBatch(size: number): Promise<Omit<BatchResult, 'waitMs'> | 'done' | BackfillStatus> {
    const { client, spec } = this;
    const begun = performance.now();
    // A batch's COMMIT does not wait for its WAL to reach disk (the WAL writer flushes it in the
    // background): that wait was 4 % of an unthrottled backfill's time. A server crash can then
    // take back the last few batches, each with its cursor, and a rerun does them again, so
    // nothing is skipped or doubled. Replicas only receive flushed WAL, and every status change
    // (done, paused, failed) commits synchronously, which flushes all the batches before it.
    await client.query('BEGIN; SET LOCAL synchronous_commit = off');
    try {
      const { status, cursor } = await lockStateForBatch(client, spec.name);
      if (status !== 'running') {
        await client.query('ROLLBACK');
        return status;
      }
      const t0 = performance.now();
      const { row, updated } = await this.updateBatch(cursor, size);
      const ms = performance.now() - t0;
      const bounds = batchBounds(spec.table, row);
      if (!bounds) {
        await client.query('SET LOCAL synchronous_commit = on');
        await setStatus(client, spec.name, 'done');
        await client.query('COMMIT');
        return 'done';
      }
      await advanceCursor(client, spec.name, bounds.last, row.scanned, updated);
      await client.query('COMMIT');
      const end = performance.now();
      return { scanned: row.scanned, updated, last: bounds.last, ms, lockMs: end - t0, cycleMs: end - begun };
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }

  private async updateBatch(cursor: Cursor, size: number): Promise<{ row: BatchRow; updated: number }> {
    const { client, spec } = this;
    const { rows } = await client.query<BatchRow>(boundsBatch(spec.table, cursor, size));
    const bounds = batchBounds(spec.table, rows[0]);
    if (!bounds) return { row: rows[0], updated: 0 };
    const result = await client.query(this.change, [...bounds.first, ...bounds.last]);
    return { row: rows[0], updated: result.rowCount ?? 0 };
  }

  private recordBatch(r: Omit<BatchResult, 'waitMs'>, size: number, retries: number, throttle: string | null): void {
    this.sizer.record(r.scanned, r.ms);
    this.lastBatchMs = r.lockMs;
    this.rowsDone += r.updated;
    this.rowsScanned += r.scanned;
    this.scannedThisRun += r.scanned;
    this.batches++;
    const elapsed = (Date.now() - this.started) / 1000;
    const rate = elapsed > 0 ? this.scannedThisRun / elapsed : 0;
    const remaining = this.estimatedRows === null ? null : Math.max(0, this.estimatedRows - this.rowsScanned);
    this.progress.emit({
      event: 'batch',
      name: this.spec.name,
      at: new Date().toISOString(),
      batch: this.batches,
      scanned: r.scanned,
      updated: r.updated,
      rowsDone: this.rowsDone,
      rowsScanned: this.rowsScanned,
      estimatedRows: this.estimatedRows,
      batchSize: size,
      nextBatchSize: this.sizer.current,
      ms: round1(r.ms),
      lockMs: round1(r.lockMs),
      rowsPerSecond: Math.round(rate),
      etaSeconds: remaining === null || rate === 0 ? null : Math.round(remaining / rate),
      cursor: r.last,
      retries,
      throttle,
      ...(this.settings.lagLimit && this.readLag ? { limitingReplica: limitingReplica(this.lastLags, this.settings.lagLimit) } : {}),
    });
  }

  /** Before a batch: while a replica is over --max-replica-lag, wait (re-reading lag and the state row). */
  private async waitWhileReplicasBehind(): Promise<BackfillStatus> {
    const { lagLimit } = this.settings;
    if (!lagLimit || !this.readLag) return 'running';
    const check = async () => {
      this.lastLags = await this.readLag!();
      return lagPauseReason(this.lastLags, lagLimit, this.lastBatchMs / 1000);
    };
    let reason = await check();
    if (!reason) return 'running';
    const pausedAt = Date.now();
    let shown = '';
    while (reason && !this.stop.signal) {
      if (reason !== shown) this.progress.emit({ event: 'pause', name: this.spec.name, kind: 'replica-lag', reason });
      shown = reason;
      await this.stop.sleep(this.settings.pollMs);
      const status = (await readState(this.client, this.spec.name))?.status ?? 'cancelled';
      if (status !== 'running') return status;
      reason = await check();
    }
    this.progress.emit({ event: 'resume', name: this.spec.name, pausedSeconds: (Date.now() - pausedAt) / 1000 });
    return 'running';
  }

  /** The state row says something other than running: wait out an operator pause, stop on cancel. */
  private async handleControl(status: BackfillStatus): Promise<RunOutcome | undefined> {
    if (status === 'cancelled') {
      this.progress.emit({ event: 'stopped', name: this.spec.name, status: 'cancelled', reason: 'cancelled by an operator', ...this.counts() });
      return { status: 'cancelled' };
    }
    if (status === 'done') return { status: 'done', rowsDone: this.rowsDone };
    if (status === 'paused') {
      if (this.stop.signal) return this.interrupted();
      const pausedAt = Date.now();
      this.progress.emit({ event: 'pause', name: this.spec.name, kind: 'operator', reason: `by an operator; run \`${dbopsCommand(`backfill resume ${this.spec.name}`)}\` to continue` });
      for (;;) {
        await this.stop.sleep(this.settings.pollMs);
        if (this.stop.signal) return this.interrupted();
        const now = (await readState(this.client, this.spec.name))?.status ?? 'cancelled';
        if (now === 'running') break;
        if (now !== 'paused') return this.handleControl(now);
      }
      this.progress.emit({ event: 'resume', name: this.spec.name, pausedSeconds: (Date.now() - pausedAt) / 1000 });
      return undefined;
    }
    return this.fail(new Error(`the state row says ${status}`));
  }

  private async interrupted(): Promise<RunOutcome> {
    const signal = this.stop.signal ?? 'SIGINT';
    const current = (await readState(this.client, this.spec.name))?.status;
    // A cancel or a finish that came first is what the run ended with, whatever signal followed.
    if (current === 'cancelled' || current === 'done') return (await this.handleControl(current))!;
    // An operator's pause stays as it is; a running backfill becomes paused (interrupted).
    if (current === 'running') await setStatus(this.client, this.spec.name, 'paused', { pauseReason: `interrupted (${signal})` });
    this.progress.emit({ event: 'stopped', name: this.spec.name, status: 'paused', reason: `interrupted by ${signal}`, ...this.counts() });
    return { status: 'interrupted', signal };
  }

  private async fail(err: unknown, why?: string): Promise<never> {
    const message = redactSecrets((err as Error).message ?? String(err));
    const summary = why ? `${why} (last: ${message})` : message;
    await setStatus(this.client, this.spec.name, 'failed', { error: summary }).catch(() => undefined);
    this.progress.emit({ event: 'stopped', name: this.spec.name, status: 'failed', reason: summary, ...this.counts() });
    if (isConnectionLoss(err)) {
      throw new DbopsError(`backfill ${this.spec.name} lost the connection to the database at batch ${this.batches + 1}: ${message}`, {
        exitCode: EXIT.database,
        hint: 'the batch in progress was rolled back; rerun the same command when the server is back to resume from the last committed batch',
        cause: err,
      });
    }
    throw new DbopsError(`backfill ${this.spec.name} failed at batch ${this.batches + 1}: ${summary}`, {
      exitCode: EXIT.failed,
      hint: why ? 'rerun the same command later (or raise --lock-timeout / --retries) to resume from the last committed batch' : 'fix the cause and rerun the same command to resume from the last committed batch',
      cause: err,
    });
  }

  private counts(): { rowsDone: number; rowsScanned: number; batches: number } {
    return { rowsDone: this.rowsDone, rowsScanned: this.rowsScanned, batches: this.batches };
  }
}

function round1(v: number): number {
  return Math.round(v * 10) / 10;
}
