/**
 * The contract between the lint engine (effects + rules) and its consumers (the lint command's
 * inputs and output formats, the migrate lint gate and plan).
 */
import type { StatementEffects } from '../effects/types';
import type { Position } from '../sql/source-text';
import type { StatsSnapshot } from '../stats/types';
import type { HoldEstimate } from '../stats/hold';
import type { LockMode } from '../effects/locks';

export type Severity = 'error' | 'warning';
export type SeveritySetting = Severity | 'off';
export type RuleCategory = 'rewrite' | 'scan' | 'index-build' | 'lock' | 'compatibility' | 'policy';

/** Declarative rule metadata: drives --explain, SARIF rules[], the docs index and config validation. */
export interface RuleMeta {
  id: string;
  /** One line, e.g. "Changing a column's type rewrites the table". */
  title: string;
  category: RuleCategory;
  defaultSeverity: SeveritySetting;
  /** Path of the rule's docs page relative to the package root: docs/rules/<id>.md */
  docs: string;
}

/** The lint engine reads the same inputs as the effects model. */
export type { SqlSource } from '../effects/types';

export interface Finding {
  /** A rule id, or "syntax-error" / "unused-suppression" from the engine itself. */
  ruleId: string;
  severity: Severity;
  /** "syntax": SQL that does not parse or that dbops cannot analyse; "input": a file that could not be read (both exit 2). */
  category: RuleCategory | 'syntax' | 'input';
  /** One line: what is wrong, naming the table/column. */
  message: string;
  /** Why it hurts: the lock taken and what readers and writers feel. */
  why: string;
  /** The safe way to make the same change (SQL, possibly several lines). */
  fix?: string;
  file: string;
  start: Position;
  end: Position;
  /** The statement's text (for code frames); absent for file-level problems. */
  statement?: string;
  /** The strongest table lock the statement takes (markdown shows it per finding). */
  lock?: LockMode;
  /** With a stats file: how long the heavy work holds its lock on the user's table. */
  hold?: HoldEstimate;
  /** With --verify: what the scratch server saw this statement do (the observation decided the finding). */
  verification?: FindingVerification;
}

/** What --verify saw for one statement, next to what the model predicted. */
export interface FindingVerification {
  predicted: string;
  observed: string;
  /** The observation contradicts a claim of the model: report it upstream. */
  modelWasWrong: boolean;
  mismatches: string[];
}

export interface VerifiedStatementReport extends FindingVerification {
  file: string;
  line: number;
  text: string;
  /** In its own transaction (locks observed), alone (refuses a transaction block), or not run (BEGIN/COMMIT). */
  traced: 'transaction' | 'alone' | 'not-run';
  /** The server's error when the statement failed on the scratch database. */
  error: { code: string | null; message: string } | null;
  /** What only data would show, said by the model (the scratch tables are empty). */
  fromModel: string | null;
  ms: number;
}

/** The --verify section of a lint run. */
export interface VerificationReport {
  /** Where it ran (never a password). */
  scratch: string;
  /** Creating the scratch database and replaying the history. */
  setupMs: number;
  statements: VerifiedStatementReport[];
}

/**
 * Effects observed on a scratch server, by file and statement position: the engine judges them
 * instead of the predictions and attaches the verification to the statement's findings.
 */
export type ObservedEffects = (file: string, ordinal: number) => { effects: StatementEffects; verification: FindingVerification } | undefined;

export interface LintOptions {
  pgVersion: number;
  /** Severity overrides by rule id (from config). */
  severities?: Record<string, SeveritySetting>;
  /** Rule options by rule id (from config). */
  ruleOptions?: Record<string, Record<string, unknown>>;
  /** Longest acceptable lock_timeout in ms (policy maximum, default 5000). */
  maxLockTimeoutMs: number;
  /**
   * The migration runner wraps each file in one transaction (Rails, Django, Flyway and sqlx do):
   * CONCURRENTLY then fails and several strong locks pile up. Default false.
   */
  fileTransaction?: boolean;
  /**
   * CREATE TABLE / CREATE INDEX statements describing what already exists in production (e.g. a
   * schema dump): their column types are known, so type changes can be proven safe, and their
   * tables are treated as existing, not new.
   */
  existingSchema?: string;
  /**
   * How long a created table counts as new (empty, exempt from lock and rewrite rules): for the
   * whole run (default, as when linting only the pending migrations) or only within the file that
   * created it (when linting a whole history whose earlier files are already in production).
   */
  newTables?: 'run' | 'file';
  /** Table sizes and throughput (dbops stats snapshot): heavy findings get a hold estimate. */
  stats?: StatsSnapshot;
  /** With stats: heavy findings on tables smaller than warningBelowBytes are warnings. */
  sizeThresholds?: { warningBelowBytes?: number };
  /** The server's TimeZone (lint.serverTimeZone), used until a migration sets its own. */
  serverTimeZone?: string;
}

export interface LintReport {
  findings: Finding[];
  files: Array<{ path: string; statements: number }>;
  statements: number;
  /** Every rule known to the engine, for SARIF rules[] and listings. */
  rules: RuleMeta[];
  /** Present when the run was verified on a scratch server (--verify). */
  verification?: VerificationReport;
}
