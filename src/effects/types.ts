/**
 * The effects model: what one statement does to the relations it touches, predicted offline.
 * Rules are policies over these effects; `dbops migrate plan` prints them; the oracle tests
 * compare them with what a real server does (see trace.ts).
 */
import type { Position } from '../sql/source-text';
import type { LockMode } from './locks';

/** 'unknown' means a rewrite could not be ruled out: never treat it as safe. */
export type Rewrite = 'yes' | 'no' | 'unknown';

export type RelationKind = 'table' | 'index' | 'materialized-view' | 'relation';

export interface RelationRef {
  /** As written, e.g. `public.users` or `users`. */
  name: string;
  /** Normalised identity used to match statements: lower-cased unless quoted, `public.` dropped. */
  key: string;
  kind: RelationKind;
}

/** A column type as written, normalised to PostgreSQL's internal names (int4, varchar, numeric…). */
export interface ColumnType {
  name: string;
  /** Type modifiers, e.g. [50] for varchar(50), [10, 2] for numeric(10,2); empty when unconstrained. */
  mods: number[];
  array: boolean;
  /** As the user would write it, for messages: varchar(50), int8[]. */
  display: string;
}

export type ActionKind =
  | 'add-column'
  | 'drop-column'
  | 'alter-column-type'
  | 'set-default'
  | 'drop-default'
  | 'set-not-null'
  | 'drop-not-null'
  | 'add-constraint'
  | 'validate-constraint'
  | 'drop-constraint'
  | 'rename-column'
  | 'rename-table'
  | 'rename-other'
  | 'set-tablespace'
  | 'set-logged'
  | 'set-unlogged'
  | 'set-storage-params'
  | 'set-statistics'
  | 'attach-partition'
  | 'detach-partition'
  | 'alter-table-other'
  | 'create-index'
  | 'drop-index'
  | 'reindex'
  | 'vacuum'
  | 'vacuum-full'
  | 'analyze'
  | 'cluster'
  | 'refresh-materialized-view'
  | 'truncate'
  | 'lock-table'
  | 'update'
  | 'delete'
  | 'insert'
  | 'merge'
  | 'create-table'
  | 'create-view'
  | 'drop-table'
  | 'create-trigger'
  | 'drop-trigger'
  | 'create-policy'
  | 'comment'
  | 'create-statistics'
  | 'add-enum-value';

export type ConstraintType = 'check' | 'foreign-key' | 'unique' | 'primary-key' | 'exclusion' | 'not-null';

export interface ConstraintInfo {
  type: ConstraintType;
  name?: string;
  /** Added NOT VALID: existing rows are not checked now. */
  notValid: boolean;
  /** ADD UNIQUE/PRIMARY KEY USING INDEX <name>: no index build. */
  usingIndex?: string;
  /** Declared inline on a column (ADD COLUMN … REFERENCES/CHECK) rather than as a table constraint. */
  inline: boolean;
  columns: string[];
  /** For foreign keys: the referenced table and columns (empty: its primary key). */
  references?: RelationRef;
  referencedColumns?: string[];
  /** For CHECK (col IS NOT NULL): the column it proves non-null. */
  provesNotNull?: string;
}

export type Volatility = 'constant' | 'stable' | 'volatile' | 'unknown';

export interface OtherLock {
  relation: RelationRef;
  lock: LockMode;
  /** Weaker modes also taken on it (see Action.alsoLocks). */
  also?: LockMode[];
  isNew: boolean;
  /** REINDEX rewrites the index it locks; a validating foreign key scans the referenced table. */
  rewrite?: Rewrite;
  scan?: boolean;
}

/** One thing a statement does (an ALTER TABLE has one action per subcommand). */
export interface Action {
  kind: ActionKind;
  relation: RelationRef;
  /** The lock this action takes on `relation`. */
  lock: LockMode;
  /**
   * Weaker modes PostgreSQL also takes on the same relation along the way (ShareLock while
   * rebuilding the indexes of a rewritten table, AccessShareLock while looking up a foreign key…).
   * They add no blocking beyond `lock`; they are listed so predictions match pg_locks exactly.
   * Index rebuilds assume the table has at least one index (a primary key).
   */
  alsoLocks?: LockMode[];
  rewrite: Rewrite;
  /** Why it rewrites, or why a rewrite cannot be ruled out. */
  rewriteReason?: string;
  /** Reads every row of the table while holding the lock (verification, rewrite or index build). */
  scan: boolean;
  scanReason?: string;
  /** `reason`: why an index is built where no row is rewritten (an ALTER COLUMN TYPE that cannot keep it). */
  indexBuild?: { concurrent: boolean; unique: boolean; name?: string; reason?: string };
  /** Locks this action takes on other relations (a foreign key's referenced table…). */
  otherLocks?: OtherLock[];
  /** The relation was created earlier in this run (empty: locks on it hurt no one). */
  isNew: boolean;
  /**
   * A partition or inheritance child that ALTER TABLE on this parent reaches: the locks and work
   * are real (the trace sees them), but rules judge the statement's own action on the parent.
   */
  partOf?: RelationRef;
  /** On a partitioned table, which has no storage: the rewrite, scan or index build happen in its partitions (actions with partOf). */
  inPartitions?: boolean;
  column?: string;
  oldType?: ColumnType;
  newType?: ColumnType;
  /** ALTER COLUMN TYPE … USING <expr> that is more than a plain cast of the column. */
  usingExpression?: boolean;
  constraint?: ConstraintInfo;
  /** ADD COLUMN / SET DEFAULT: how volatile the default expression is. */
  defaultVolatility?: Volatility;
  /** ADD COLUMN: serial/identity/stored generated column, which fill every row. */
  generated?: 'serial' | 'identity' | 'stored';
  newName?: string;
  /** CONCURRENTLY was used (index builds/drops, REINDEX, REFRESH, DETACH). */
  concurrent?: boolean;
  /**
   * RENAME: a later statement of the same file gives the old name to another column or relation
   * (a swap, or a view left under the old name), so clients using the old name keep working.
   * Set when that later statement is analysed.
   */
  oldNameReused?: boolean;
  /** RENAME of a stand-in (…_new, …_tmp) into a name a rename of the same file freed: the second half of a swap. */
  secondHalfOfSwap?: boolean;
  /** ADD COLUMN … NOT NULL without a default: fails as soon as the table has a row. */
  failsIfRows?: boolean;
  /** UPDATE/DELETE: true when there is no WHERE clause (every row). */
  wholeTable?: boolean;
  /** Anything the model wants a reader of the plan to know. */
  note?: string;
  /**
   * The prediction depends on something dbops cannot know offline (the session TimeZone, a type
   * it has not seen, the constraints of a table outside the run): what it would need. The
   * prediction is then the cautious one, never a confident guess; `--verify` observes the answer.
   */
  cannotProve?: string;
  /**
   * Inside a DO block, under IF, CASE, a loop or an exception handler: whether it runs at all
   * depends on what the block reads at run time. The prediction is what it does when it runs.
   */
  conditional?: string;
  /** IF NOT EXISTS on something that already exists: the statement does nothing (beyond its lock). */
  noOp?: string;
}

/** The combined effect on one relation, across all actions of a statement. */
export interface RelationEffect {
  relation: RelationRef;
  /** Every lock mode taken on it, strongest first. */
  locks: LockMode[];
  /** The strongest of them. */
  lock: LockMode;
  rewrite: Rewrite;
  scan: boolean;
  indexBuild?: { concurrent: boolean };
  isNew: boolean;
}

export type TransactionControl = 'begin' | 'commit' | 'rollback' | 'savepoint' | 'other';

export interface SettingChange {
  name: string;
  /** Milliseconds for timeouts; null for RESET / SET … TO DEFAULT. */
  valueMs: number | null;
  raw: string;
  local: boolean;
}

export interface VersionRequirement {
  /** The first PostgreSQL major release that accepts it. */
  version: number;
  feature: string;
}

export interface StatementEffects {
  /** The statement's AST node type, e.g. AlterTableStmt. */
  statementType: string;
  actions: Action[];
  relations: RelationEffect[];
  /** False when PostgreSQL refuses to run it inside a transaction block. */
  transactional: boolean;
  nonTransactionalReason?: string;
  transaction?: TransactionControl;
  setting?: SettingChange;
  /** Syntax that needs a newer server than some supported releases. */
  requires?: VersionRequirement[];
  /** Statements found inside a DO block (run as one transaction). */
  nested?: NestedStatement[];
}

export interface NestedStatement {
  text: string;
  effects: StatementEffects;
  /** The context it ran in (inside the DO block's transaction). */
  before: ContextSnapshot;
}

/** What the analysis context knew just before a statement: the part rules may read. */
export interface ContextSnapshot {
  pgVersion: number;
  /** lock_timeout in force (ms); null or 0: waits forever. */
  lockTimeoutMs: number | null;
  statementTimeoutMs: number | null;
  inTransaction: boolean;
  /** Strong locks on existing relations already held by this transaction. */
  heldStrongLocks: HeldLock[];
}

export interface HeldLock {
  relation: RelationRef;
  lock: LockMode;
  /** Held because ALTER TABLE on this parent reached the partition or child: part of that one table. */
  via?: RelationRef;
}

/** One SQL input: a migration file, or stdin. */
export interface SqlSource {
  /** What findings show: a path relative to the current directory, or "<stdin>". */
  path: string;
  text: string;
  /**
   * Already applied in production (e.g. migrations older than `--since`): analysed only for
   * context — column types, indexes, constraints — its tables count as existing, not new, and it
   * gets no findings and is not listed in the report.
   */
  applied?: boolean;
}

/** One statement as rules see it: its effects and the context it runs in. */
export interface AnalyzedStatement {
  file: string;
  text: string;
  effects: StatementEffects;
  before: ContextSnapshot;
  /** Found inside a DO block. */
  inDoBlock: boolean;
  /** Where it is in the file (inside a DO block: where its text is, else the DO statement). */
  start: Position;
  end: Position;
}
