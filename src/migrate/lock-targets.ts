import { conflicts, isStrongLock, LOCK_MODES, lockRank, type LockMode } from '../effects/locks';
import type { RelationEffect, RelationRef } from '../effects/types';
import type { MigrationStatement } from './statements';

/** A lock a unit of work (a transactional file, or one statement) will ask for on an existing relation. */
export interface LockTarget {
  relation: RelationRef;
  /** The strongest mode any of its statements takes on it. */
  mode: LockMode;
  /** The first statement that needs it: failures and waits are reported at its line. */
  statement: MigrationStatement;
}

function relationEffects(st: MigrationStatement): RelationEffect[] {
  return [...st.effects.relations, ...(st.effects.nested ?? []).flatMap((n) => n.effects.relations)];
}

/**
 * The strong locks (those ordinary reads or writes queue behind) the statements take on tables
 * that exist before they run, strongest mode per relation, in the order the statements first
 * need them: the order a transaction takes them in up front, so two runs cannot deadlock.
 * New tables (created earlier in the run) are left out: nobody else can be using them.
 */
export function strongLockTargets(statements: MigrationStatement[]): LockTarget[] {
  const byKey = new Map<string, LockTarget>();
  for (const st of statements) {
    for (const r of relationEffects(st)) {
      if (r.isNew || !isStrongLock(r.lock)) continue;
      const seen = byKey.get(r.relation.key);
      if (!seen) byKey.set(r.relation.key, { relation: r.relation, mode: r.lock, statement: st });
      else if (lockRank(r.lock) > lockRank(seen.mode)) seen.mode = r.lock;
    }
  }
  return [...byKey.values()];
}

/** The modes a session may hold (or be queued for) that make a request for `mode` wait. */
export function conflictingModes(mode: LockMode): LockMode[] {
  return LOCK_MODES.filter((held) => conflicts(mode, held));
}

/** `AccessExclusiveLock` → `ACCESS EXCLUSIVE`, as LOCK TABLE spells it. */
export function lockTableMode(mode: LockMode): string {
  return mode
    .replace(/Lock$/, '')
    .replace(/([a-z])([A-Z])/g, '$1 $2')
    .toUpperCase();
}

/**
 * The lock_timeout of attempt `attempt` (1-based): doubling from `startMs` with "equal jitter"
 * (half fixed, half random) while below the cap, then the cap itself. A queue that forms behind
 * an attempt lives at most that long, so early attempts are short: most blockers are brief.
 */
export function attemptLockTimeoutMs(attempt: number, startMs: number, capMs: number, random: () => number = Math.random): number {
  const full = startMs * 2 ** (attempt - 1);
  if (full >= capMs) return capMs;
  return Math.max(1, Math.round(full / 2 + random() * (full / 2)));
}
