/**
 * Statements other than ALTER TABLE that PostgreSQL carries from a parent to its partitions (and
 * some to inheritance children): CREATE INDEX, CREATE TRIGGER, LOCK, UPDATE, DELETE, TRUNCATE,
 * ANALYZE, DROP TABLE and DROP INDEX. Each action on such a parent gets one per known descendant,
 * marked partOf (rules judge the parent's); a partitioned parent, which has no storage, keeps its
 * lock and is marked inPartitions where the work happens in the partitions.
 */
import type { AnalysisContext } from './context';
import { relationFromNameList, relationFromRangeVar } from './names';
import type { Action, RelationRef } from './types';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyNode = any;

/** Which parents an action kind reaches the descendants of: partitioned tables only, or inheritance parents too. */
const REACHES: Partial<Record<Action['kind'], 'partitioned' | 'any'>> = {
  'create-index': 'partitioned',
  'create-trigger': 'partitioned',
  'drop-index': 'partitioned',
  analyze: 'partitioned',
  'lock-table': 'any',
  update: 'any',
  delete: 'any',
  truncate: 'any',
  'drop-table': 'any',
};

export interface ReachedTables {
  /** Parent key → its descendants, read before the statement changes the context (DROP forgets them). */
  byParent: Map<string, RelationRef[]>;
  /** Parents the statement names with ONLY: nothing below them is reached. */
  only: Set<string>;
  /** DROP … CASCADE: an inheritance parent's children are dropped with it (without it, the DROP fails). */
  cascade: boolean;
  /** Which of those parents and descendants are partitioned (no storage of their own). */
  partitioned: Set<string>;
}

/** What a statement could reach, before its analysis runs; undefined when it reaches nothing known. */
export function reachableFrom(statementType: string, stmt: AnyNode, ctx: AnalysisContext): ReachedTables | undefined {
  const named = namedRelations(statementType, stmt, ctx);
  if (named.length === 0) return undefined;
  const byParent = new Map<string, RelationRef[]>();
  const only = new Set<string>();
  const partitioned = new Set<string>();
  for (const { rel, inh } of named) {
    const below = ctx.descendantsOf(rel);
    if (below.length === 0) continue;
    byParent.set(rel.key, below);
    if (!inh) only.add(rel.key);
    for (const r of [rel, ...below]) if (ctx.isPartitioned(r) === true) partitioned.add(r.key);
  }
  return byParent.size === 0 ? undefined : { byParent, only, cascade: stmt?.behavior === 'DROP_CASCADE', partitioned };
}

function namedRelations(statementType: string, stmt: AnyNode, ctx: AnalysisContext): Array<{ rel: RelationRef; inh: boolean }> {
  const rangeVar = (rv: AnyNode) => (rv ? [{ rel: relationFromRangeVar(rv), inh: rv.inh === true }] : []);
  switch (statementType) {
    case 'IndexStmt':
      return stmt.concurrent ? [] : rangeVar(stmt.relation);
    case 'CreateTrigStmt':
    case 'UpdateStmt':
    case 'DeleteStmt':
      return rangeVar(stmt.relation);
    case 'LockStmt':
    case 'TruncateStmt':
      return (stmt.relations ?? []).flatMap((r: AnyNode) => rangeVar(r.RangeVar));
    case 'VacuumStmt':
      return stmt.is_vacuumcmd ? [] : (stmt.rels ?? []).flatMap((r: AnyNode) => rangeVar(r.VacuumRelation?.relation));
    case 'DropStmt': {
      if (stmt.removeType === 'OBJECT_TABLE') return (stmt.objects ?? []).map((o: AnyNode) => ({ rel: relationFromNameList(o, 'table'), inh: true }));
      if (stmt.removeType !== 'OBJECT_INDEX' || stmt.concurrent) return [];
      return (stmt.objects ?? []).flatMap((o: AnyNode) => {
        const table = ctx.tableOfIndex(relationFromNameList(o, 'index'));
        return table ? [{ rel: table, inh: true }] : [];
      });
    }
    default:
      return [];
  }
}

/** The statement's actions with those its parents pass on to their descendants. */
export function withReachedDescendants(actions: Action[], reached: ReachedTables, ctx: AnalysisContext): Action[] {
  const out: Action[] = [];
  for (const action of actions) {
    const reach = REACHES[action.kind];
    const below = reached.byParent.get(action.relation.key);
    const partitioned = reached.partitioned.has(action.relation.key);
    const inheritanceDrop = action.kind === 'drop-table' && !partitioned && !reached.cascade;
    if (!reach || !below || reached.only.has(action.relation.key) || (reach === 'partitioned' && !partitioned) || inheritanceDrop) {
      out.push(action);
      continue;
    }
    const heavy = action.rewrite !== 'no' || action.scan || action.indexBuild !== undefined;
    out.push(partitioned && heavy ? { ...action, inPartitions: true } : action);
    for (const child of below) {
      const storageless = reached.partitioned.has(child.key);
      const copy: Action = { ...action, relation: child, partOf: action.relation, isNew: ctx.isNew(child), otherLocks: undefined };
      out.push(storageless ? { ...copy, rewrite: 'no', rewriteReason: undefined, scan: false, scanReason: undefined, indexBuild: undefined, cannotProve: undefined } : copy);
      if (action.kind === 'drop-table') ctx.forget(child);
    }
  }
  return out;
}
