/**
 * PostgreSQL's eight table-level lock modes (the names pg_locks shows), weakest first, and the
 * conflict table from the "Explicit Locking" chapter of the documentation.
 */
export const LOCK_MODES = [
  'AccessShareLock',
  'RowShareLock',
  'RowExclusiveLock',
  'ShareUpdateExclusiveLock',
  'ShareLock',
  'ShareRowExclusiveLock',
  'ExclusiveLock',
  'AccessExclusiveLock',
] as const;

export type LockMode = (typeof LOCK_MODES)[number];

const CONFLICTS: Record<LockMode, LockMode[]> = {
  AccessShareLock: ['AccessExclusiveLock'],
  RowShareLock: ['ExclusiveLock', 'AccessExclusiveLock'],
  RowExclusiveLock: ['ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareUpdateExclusiveLock: ['ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareLock: ['RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ShareRowExclusiveLock: ['RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  ExclusiveLock: ['RowShareLock', 'RowExclusiveLock', 'ShareUpdateExclusiveLock', 'ShareLock', 'ShareRowExclusiveLock', 'ExclusiveLock', 'AccessExclusiveLock'],
  AccessExclusiveLock: [...LOCK_MODES],
};

export function lockRank(mode: LockMode): number {
  return LOCK_MODES.indexOf(mode);
}

export function conflicts(a: LockMode, b: LockMode): boolean {
  return CONFLICTS[a].includes(b);
}

export function strongest(modes: Iterable<LockMode>): LockMode | undefined {
  let best: LockMode | undefined;
  for (const m of modes) if (!best || lockRank(m) > lockRank(best)) best = m;
  return best;
}

/** Plain SELECTs wait behind it. */
export function blocksReads(mode: LockMode): boolean {
  return conflicts(mode, 'AccessShareLock');
}

/** INSERT/UPDATE/DELETE wait behind it. */
export function blocksWrites(mode: LockMode): boolean {
  return conflicts(mode, 'RowExclusiveLock');
}

/**
 * A strong lock is one ordinary traffic queues behind: while it waits for a long transaction,
 * every later reader or writer of the table waits behind it, which is why it needs a lock_timeout.
 */
export function isStrongLock(mode: LockMode): boolean {
  return blocksWrites(mode);
}

/** What readers and writers feel while the lock is held (or queued), as a phrase: "blocks …". */
export function lockImpact(mode: LockMode): string {
  if (blocksReads(mode)) return 'blocks every read and write of the table while it is held or waiting';
  if (blocksWrites(mode)) return 'blocks INSERT, UPDATE and DELETE (reads continue) while it is held or waiting';
  if (mode === 'ShareUpdateExclusiveLock') return 'lets reads and writes continue (it only conflicts with other schema changes, VACUUM and index builds)';
  return 'does not block ordinary reads or writes';
}

/** LOCK TABLE … IN <mode> MODE: the parser gives the mode as its number (1 = AccessShare … 8 = AccessExclusive). */
export function lockModeFromNumber(n: number): LockMode {
  return LOCK_MODES[Math.max(1, Math.min(8, n)) - 1];
}
