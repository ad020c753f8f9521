import type { Ora } from 'ora';
import { formatDuration, formatSeconds } from '../util/duration';
import { describeBlocker, type Blocker } from './blockers';
import type { Finding } from '../lint/types';
import type { MigrateEvent } from './events';
import type { MigrationHeader } from './statements';
import type { LockHolder } from './lock-holders';
import { describeHolder, type RunnerLockHolder } from './runner-lock';
import type { MigrateFormat } from '../output/formats';
import { renderJsonDocument } from '../output/json';

interface MigrationRecord extends MigrationHeader {
  status: 'applied' | 'failed' | 'running';
  durationMs?: number;
  attempts?: number;
  statementsRun?: number;
  resumedAfter?: number;
  retries: Array<{ attempt: number; sqlstate: string; line: number; waitingFor: string | null; blockers: Blocker[]; retryInMs: number; lockTimeoutMs: number }>;
  /** Waits without queueing while other sessions held conflicting locks: one entry per change of holders. */
  lockWaits: Array<{ line: number; waitingFor: string; blockers: LockHolder[]; waitedMs: number }>;
  invalidIndexesDropped: string[];
  notes: string[];
}

/**
 * Renders runner events: a concise log line per migration (with a spinner for the statement in
 * flight when stdout is a terminal), or, with --format json, one document at the end.
 */
export class MigrateReporter {
  private readonly migrations: MigrationRecord[] = [];
  private readonly warnings: string[] = [];
  private lintFindings: Finding[] = [];
  /** The run we queued behind with --wait, if any. */
  private waitedFor?: RunnerLockHolder | null;
  private target?: string;
  private spinner?: Ora;
  private readonly started = Date.now();

  constructor(
    private readonly format: MigrateFormat,
    private readonly out: NodeJS.WriteStream = process.stdout,
  ) {}

  private get interactive(): boolean {
    return this.format === 'text' && this.out.isTTY === true;
  }

  private line(text: string): void {
    if (this.format !== 'text') return;
    this.spinner?.stop();
    this.out.write(text + '\n');
  }

  private startSpinner(text: string): void {
    if (!this.spinner) {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      const ora: typeof import('ora') = require('ora');
      this.spinner = ora({ stream: this.out });
    }
    if (this.spinner.isSpinning) this.spinner.text = text;
    else this.spinner.start(text);
  }

  private current(version: string): MigrationRecord | undefined {
    return this.migrations.find((m) => m.version === version);
  }

  readonly onEvent = (e: MigrateEvent): void => {
    switch (e.type) {
      case 'start':
        this.target = e.target;
        if (e.pending === 0) this.line(`Nothing to apply: ${e.target} is up to date (${e.upToDate} applied).`);
        else {
          const lock =
            e.lockTimeoutStartMs < e.lockTimeoutMs
              ? `lock_timeout from ${formatDuration(e.lockTimeoutStartMs)} doubling up to ${formatDuration(e.lockTimeoutMs)} per attempt`
              : `lock_timeout ${formatDuration(e.lockTimeoutMs)}`;
          const waits = e.watchHolders ? `, lock waits up to ${formatDuration(e.lockWaitBudgetMs)} without queueing` : `, lock waits up to ${formatDuration(e.lockWaitBudgetMs)}`;
          this.line(
            `Applying ${e.pending} migration${e.pending > 1 ? 's' : ''} to ${e.target} ` +
              `(${lock}${waits}, statement_timeout ${e.statementTimeoutMs === 0 ? 'none' : formatDuration(e.statementTimeoutMs)}, up to ${e.retries} ${e.retries === 1 ? 'retry' : 'retries'})`,
          );
        }
        break;
      case 'waiting-for-runner':
        this.waitedFor = e.holder ?? null;
        this.line(`Another dbops migrate is running${e.holder ? ` (${describeHolder(e.holder)})` : ''}; waiting for it to finish (--wait).`);
        break;
      case 'warning':
        this.warnings.push(e.message);
        if (this.format === 'text') process.stderr.write(`warning: ${e.message}\n`);
        break;
      case 'lint':
        this.lintFindings = e.findings;
        if (this.format === 'text') process.stderr.write(e.rendered);
        break;
      case 'migration-start':
        this.migrations.push({
          version: e.version,
          name: e.name,
          file: e.file,
          transactional: e.transactional,
          nonTransactionalReason: e.nonTransactionalReason,
          status: 'running',
          resumedAfter: e.resumeAfter || undefined,
          retries: [],
          lockWaits: [],
          invalidIndexesDropped: [],
          notes: [],
        });
        if (!e.transactional) {
          const resume = e.resumeAfter > 0 ? `; continuing after statement ${e.resumeAfter} of ${e.statements} (done by an interrupted run)` : '';
          this.line(`→ ${e.file}: statement by statement, each committed on its own (${e.nonTransactionalReason})${resume}`);
        }
        break;
      case 'statement-start':
        if (this.interactive) {
          this.startSpinner(`${e.version}: line ${e.line}${e.attempt > 1 ? ` (attempt ${e.attempt})` : ''}: ${e.text.replace(/\s+/g, ' ').slice(0, 60)}`);
        }
        break;
      case 'waiting':
        if (this.spinner?.isSpinning && e.blockers.length > 0) {
          const b = e.blockers[0];
          this.spinner.text = `${e.version}: line ${e.line}: waiting for ${e.waitingFor ?? 'a lock'} behind pid ${b.pid} ('${b.applicationName}')`;
        }
        break;
      case 'lock-wait': {
        this.current(e.version)?.lockWaits.push({ line: e.line, waitingFor: e.waitingFor, blockers: e.blockers, waitedMs: e.waitedMs });
        const b = e.blockers[0];
        const more = e.blockers.length > 1 ? ` (and ${e.blockers.length - 1} more)` : '';
        if (this.interactive) {
          // Between statements no spinner runs: start one, so the wait is visible as it happens.
          this.startSpinner(`${e.version}: line ${e.line}: waiting, not queued, for ${e.waitingFor}: held by pid ${b.pid} ('${b.applicationName}', ${b.state ?? 'state hidden'})${more}`);
        } else {
          this.line(`  … ${e.file}:${e.line}: waiting (not queued) for ${e.waitingFor}; held by ${describeBlocker(b)}${more}`);
        }
        break;
      }
      case 'lock-wait-over':
        if (!this.interactive) this.line(`    holders gone after ${formatElapsed(e.waitedMs)}; attempting`);
        break;
      case 'lock-timeout': {
        this.current(e.version)?.retries.push({
          attempt: e.attempt,
          sqlstate: e.sqlstate,
          line: e.line,
          waitingFor: e.waitingFor,
          blockers: e.blockers,
          retryInMs: e.retryInMs,
          lockTimeoutMs: e.lockTimeoutMs,
        });
        const what = e.sqlstate === '55P03' ? `lock timeout (55P03, after ${formatDuration(e.lockTimeoutMs)})` : `deadlock (${e.sqlstate})`;
        const waiting = e.waitingFor ? ` waiting for ${e.waitingFor}` : '';
        const who = e.blockers.length > 0 ? `; blocked by ${e.blockers.map(describeBlocker).join('; and by ')}` : '; the blocking session was not caught in time';
        this.line(`  ! ${e.file}:${e.line}: ${what}${waiting}${who}`);
        this.line(`    rolled back; retry ${e.attempt}/${e.maxAttempts - 1} in ${formatSeconds(e.retryInMs / 1000)}`);
        break;
      }
      case 'invalid-index':
        if (e.action === 'dropped') {
          this.current(e.version)?.invalidIndexesDropped.push(e.index);
          this.line(`  ✓ dropped INVALID index ${e.index} (${e.cause})`);
        } else this.line(`  ! found INVALID index ${e.index}, ${e.cause}; dropping it concurrently`);
        break;
      case 'note':
        this.current(e.version)?.notes.push(e.message);
        this.line(`  · ${e.message}`);
        break;
      case 'migration-done': {
        const m = this.current(e.version);
        if (m) Object.assign(m, { status: 'applied', durationMs: e.durationMs, attempts: e.attempts, statementsRun: e.statementsRun });
        const attempts = e.attempts > 1 ? `${e.attempts} attempts, ` : '';
        this.line(`✓ ${e.file} (${attempts}${formatElapsed(e.durationMs)})`);
        break;
      }
    }
  };

  /** The closing line, or the JSON document; `error` is the failure that ended the run, if any. */
  finish(error?: { message: string; hint?: string; exitCode: number }): void {
    this.spinner?.stop();
    for (const m of this.migrations) if (m.status === 'running' && error) m.status = 'failed';
    const applied = this.migrations.filter((m) => m.status === 'applied');
    if (this.format === 'json') {
      const doc = {
        target: this.target ?? null,
        ok: !error,
        applied: applied.length,
        migrations: this.migrations,
        warnings: this.warnings,
        lint: this.lintFindings,
        waitedForRunner: this.waitedFor ?? null,
        durationMs: Date.now() - this.started,
        error: error ?? null,
      };
      this.out.write(renderJsonDocument(doc));
      return;
    }
    if (!error && applied.length > 0) this.line(`Applied ${applied.length} migration${applied.length > 1 ? 's' : ''} in ${formatElapsed(Date.now() - this.started)}.`);
  }
}

function formatElapsed(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : formatSeconds(ms / 1000);
}
