/** Small helpers rules share: picking actions, naming things in SQL, saying what a lock does. */
import { lockImpact, type LockMode } from '../effects/locks';
import { quoteIdentIfNeeded, sqlName } from '../effects/names';
import type { Action, ActionKind } from '../effects/types';
import type { AnalyzedStatement } from './rule';

/**
 * Actions of these kinds (a rule passes its own actionKinds) on relations that existed before this
 * run (new tables are empty: exempt).
 */
export function actionsOn(stmt: AnalyzedStatement, kinds: readonly ActionKind[] | undefined): Action[] {
  return stmt.effects.actions.filter((a) => kinds !== undefined && kinds.includes(a.kind) && !a.isNew && a.partOf === undefined);
}

export function tableSql(a: Action): string {
  return sqlName(a.relation);
}

export function ident(name: string | undefined): string {
  return quoteIdentIfNeeded(name ?? '?');
}

/** For index actions whose table is not known from the run: name it by its index. */
export function tableOf(a: Action): Pick<Action, 'relation'> {
  return a.relation.kind === 'index' ? { relation: { ...a.relation, name: `the table of ${a.relation.name}` } } : a;
}

/** "Takes AccessExclusiveLock on users, which blocks … ." */
export function lockWhy(a: Pick<Action, 'relation'>, lock: LockMode, what: string): string {
  return `Takes ${lock} on ${a.relation.name}, which ${lockImpact(lock)}. ${what}`.trim();
}

export function lines(...parts: Array<string | false | undefined>): string {
  return parts.filter((p): p is string => typeof p === 'string').join('\n');
}
