/** A key column of the table being backfilled, in the order batches walk it. */
export interface KeyColumn {
  name: string;
  /** The column's type as format_type() prints it, used to cast cursor values back. */
  type: string;
}

/** The table being backfilled, resolved through the catalog. */
export interface TargetTable {
  schema: string;
  name: string;
  /** schema.name, each part quoted: the only way the table appears in SQL. */
  quoted: string;
  /** schema.name as the user reads it. */
  display: string;
  key: KeyColumn[];
  /** The unique index the key walks. */
  keyIndex: string;
  /** One key column whose type has min()/max() (every supported type but uuid): a batch's bounds are one aggregate over its keys. */
  keyHasMax: boolean;
}

/**
 * Where the last committed batch ended: the key values of its last row, as text (one per key
 * column), or null before the first batch.
 */
export type Cursor = string[] | null;

declare const checkedFragment: unique symbol;
/**
 * --set or --where after change.ts has checked it: re-emitted from the parser's tokens, one SET
 * list or one expression with every bracket closed. Only this type is placed into a batch statement.
 */
export type CheckedFragment = string & { readonly [checkedFragment]: true };

/** What the backfill changes; its checksum ties a state row to one spec. */
export type BackfillChange =
  | { kind: 'set'; set: CheckedFragment; where?: CheckedFragment }
  | { kind: 'sql'; file: string; sql: string };

export interface BackfillSpec {
  name: string;
  table: TargetTable;
  change: BackfillChange;
  /** sha256 of the table, key and parsed change (whitespace and comments do not count). */
  checksum: string;
}

export type BackfillStatus = 'running' | 'paused' | 'done' | 'failed' | 'cancelled';

/** One row of dbops.backfills. */
export interface BackfillState {
  name: string;
  tableName: string;
  keyColumns: string[];
  specChecksum: string;
  spec: { change: BackfillChange };
  cursor: Cursor;
  rowsDone: number;
  rowsScanned: number;
  batches: number;
  estimatedRows: number | null;
  status: BackfillStatus;
  pauseReason: string | null;
  owner: string | null;
  error: string | null;
  createdAt: Date;
  startedAt: Date | null;
  updatedAt: Date;
  finishedAt: Date | null;
  /** Whether a runner currently holds the backfill's advisory lock. */
  runnerAttached?: boolean;
}
