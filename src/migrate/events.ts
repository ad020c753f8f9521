import type { Blocker } from './blockers';
import type { LockHolder } from './lock-holders';
import type { Finding } from '../lint/types';
import type { RunnerLockHolder } from './runner-lock';
import type { MigrationHeader } from './statements';

/** What the runner reports as it goes; the pretty log and the JSON document are both built from these. */
export type MigrateEvent =
  | {
      type: 'start';
      target: string;
      pending: number;
      upToDate: number;
      lockTimeoutMs: number;
      lockTimeoutStartMs: number;
      lockWaitBudgetMs: number;
      watchHolders: boolean;
      statementTimeoutMs: number;
      retries: number;
    }
  | { type: 'waiting-for-runner'; holder?: RunnerLockHolder }
  | { type: 'warning'; message: string }
  /** Lint findings on the pending migrations; errors > 0 blocks the run. */
  | { type: 'lint'; findings: Finding[]; errors: number; rendered: string }
  | ({
      type: 'migration-start';
      statements: number;
      /** Statements already done by an interrupted earlier run. */
      resumeAfter: number;
    } & MigrationHeader)
  | { type: 'statement-start'; version: string; index: number; line: number; text: string; attempt: number }
  /** The statement in flight is waiting for a lock (sampled while it waits). */
  | { type: 'waiting'; version: string; line: number; waitingFor: string | null; blockers: Blocker[] }
  /**
   * Before an attempt: sessions hold (or queue for) locks that conflict with what the file or
   * statement needs, so the runner waits without asking for the lock (nobody queues behind it).
   * Sent when the set of holders changes; `waitedMs` counts from the start of this wait.
   */
  | { type: 'lock-wait'; version: string; file: string; line: number; waitingFor: string; blockers: LockHolder[]; waitedMs: number }
  /** The holders are gone: the runner attempts now. */
  | { type: 'lock-wait-over'; version: string; line: number; waitedMs: number }
  | {
      type: 'lock-timeout';
      version: string;
      file: string;
      line: number;
      /** 55P03 (lock timeout) or 40P01 (deadlock). */
      sqlstate: string;
      attempt: number;
      maxAttempts: number;
      waitingFor: string | null;
      blockers: Blocker[];
      retryInMs: number;
      /** The lock_timeout the failed attempt ran with. */
      lockTimeoutMs: number;
    }
  | { type: 'invalid-index'; version: string; index: string; action: 'dropping' | 'dropped'; cause: string }
  | { type: 'note'; version: string; message: string }
  | { type: 'migration-done'; version: string; file: string; durationMs: number; attempts: number; statementsRun: number };
