/** Building actions: one place for the defaults every statement kind starts from. */
import type { AnalysisContext } from './context';
import type { LockMode } from './locks';
import type { Action, ActionKind, RelationRef } from './types';

/** An action that neither rewrites nor scans unless `extra` says so. */
export function newAction(kind: ActionKind, relation: RelationRef, lock: LockMode, ctx: AnalysisContext, extra: Partial<Action> = {}): Action {
  return { kind, relation, lock, rewrite: 'no', scan: false, isNew: ctx.isNew(relation), ...extra };
}

/** A rewrite copies every row and then rebuilds each index (ShareLock on the table while it does). */
export function rewriting(reason: string): Partial<Action> {
  return { rewrite: 'yes', rewriteReason: reason, scan: true, scanReason: 'reads every row to write the new copy', alsoLocks: ['ShareLock'] };
}
