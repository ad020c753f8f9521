/**
 * Predicts the effects of one parsed statement and teaches the context what it learned (new
 * tables, column types, settings, transaction state). Call it for every statement in the order
 * the runner will execute them.
 */
import { parsePlpgsql } from '../sql/parser';
import { AnalysisLimitError, LIMITS } from '../sql/limits';
import { walkTree } from '../sql/tree';
import { newAction, rewriting } from './action';
import { alterTableActions, constraintInfo, referencedTableLocks, rememberConstraint } from './alter-table';
import { columnTypeFromAst } from './column-types';
import type { AnalysisContext, PartitionKey } from './context';
import { blocksReads, isStrongLock, lockModeFromNumber, lockRank, type LockMode } from './locks';
import { relationFromNameList, relationFromRangeVar } from './names';
import { reachableFrom, withReachedDescendants } from './descendants';
import { extractDoBlockStatements } from './plpgsql';
import { versionRequirements } from './versions';
import { applySetting, settingFromSelect, settingFromVariableSet } from './settings';
import type { Action, HeldLock, OtherLock, RelationEffect, RelationRef, Rewrite, StatementEffects, TransactionControl } from './types';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyNode = any;

export interface StatementInput {
  /** The statement's AST node, e.g. { AlterTableStmt: {...} }. */
  node: AnyNode;
  /** Its text (needed for DO blocks, whose body is parsed separately). */
  text: string;
}

export function analyzeStatement(input: StatementInput, ctx: AnalysisContext): StatementEffects {
  const [statementType] = Object.keys(input.node ?? {});
  const stmt = input.node?.[statementType];
  const effects: StatementEffects = { statementType: statementType ?? 'unknown', actions: [], relations: [], transactional: true };
  const reached = reachableFrom(statementType, stmt, ctx);
  switch (statementType) {
    case 'AlterTableStmt':
      effects.actions = alterTableActions(stmt, ctx);
      if (effects.actions.some((a) => a.kind === 'detach-partition' && a.concurrent)) notInTransaction(effects, 'DETACH PARTITION … CONCURRENTLY');
      break;
    case 'IndexStmt':
      effects.actions = [createIndex(stmt, ctx)];
      if (stmt.concurrent) notInTransaction(effects, 'CREATE INDEX CONCURRENTLY');
      break;
    case 'DropStmt':
      effects.actions = drop(stmt, ctx);
      if (stmt.concurrent) notInTransaction(effects, 'DROP INDEX CONCURRENTLY');
      break;
    case 'ReindexStmt':
      effects.actions = reindex(stmt, ctx);
      if (effects.actions.some((a) => a.concurrent)) notInTransaction(effects, 'REINDEX CONCURRENTLY');
      else if (!stmt.relation) notInTransaction(effects, 'REINDEX SCHEMA/DATABASE/SYSTEM');
      break;
    case 'VacuumStmt':
      effects.actions = vacuum(stmt, ctx);
      if (stmt.is_vacuumcmd) notInTransaction(effects, 'VACUUM');
      break;
    case 'ClusterStmt':
      effects.actions = stmt.relation ? [newAction('cluster', relationFromRangeVar(stmt.relation), 'AccessExclusiveLock', ctx, rewriting('rewrites the table in index order'))] : [];
      if (!stmt.relation) notInTransaction(effects, 'CLUSTER without a table');
      break;
    case 'RefreshMatViewStmt':
      effects.actions = [refreshMatView(stmt, ctx)];
      break;
    case 'TruncateStmt':
      effects.actions = truncate(stmt, ctx);
      break;
    case 'LockStmt':
      effects.actions = (stmt.relations ?? []).map((r: AnyNode) => newAction('lock-table', relationFromRangeVar(r.RangeVar), lockModeFromNumber(stmt.mode ?? 8), ctx));
      break;
    case 'UpdateStmt':
    case 'DeleteStmt':
      effects.actions = [dataChange(statementType === 'UpdateStmt' ? 'update' : 'delete', stmt, ctx)];
      break;
    case 'InsertStmt':
      effects.actions = [newAction('insert', relationFromRangeVar(stmt.relation), 'RowExclusiveLock', ctx)];
      break;
    case 'MergeStmt':
      effects.actions = [newAction('merge', relationFromRangeVar(stmt.relation), 'RowExclusiveLock', ctx)];
      break;
    case 'CreateStmt':
      effects.actions = createTable(stmt, ctx);
      break;
    case 'CreateTableAsStmt': {
      const rel = relationFromRangeVar(stmt.into?.rel, stmt.objtype === 'OBJECT_MATVIEW' ? 'materialized-view' : 'table');
      // IF NOT EXISTS on a relation that exists: a notice, nothing is created or locked.
      if (stmt.if_not_exists && ctx.exists(rel)) break;
      ctx.markNew(rel);
      ctx.relationCreated(rel, stmt.into?.tableSpaceName ?? ctx.defaultTablespace);
      if (stmt.objtype === 'OBJECT_MATVIEW') ctx.setViewSources(rel, tablesReadBy(stmt.query));
      effects.actions = [newAction('create-table', rel, 'AccessExclusiveLock', ctx)];
      break;
    }
    case 'ViewStmt':
      effects.actions = [createView(stmt, ctx)];
      break;
    case 'RenameStmt':
      effects.actions = rename(stmt, ctx);
      break;
    case 'AlterObjectSchemaStmt':
      effects.actions = setSchema(stmt, ctx);
      break;
    case 'CreateTrigStmt':
      effects.actions = [newAction('create-trigger', relationFromRangeVar(stmt.relation), 'ShareRowExclusiveLock', ctx)];
      break;
    case 'CreatePolicyStmt':
      effects.actions = [newAction('create-policy', relationFromRangeVar(stmt.table), 'AccessExclusiveLock', ctx)];
      break;
    case 'CreateStatsStmt':
      effects.actions = ((stmt.relations ?? []) as AnyNode[]).map((r) => newAction('create-statistics', relationFromRangeVar(r.RangeVar), 'ShareUpdateExclusiveLock', ctx));
      break;
    case 'CommentStmt':
      effects.actions = comment(stmt, ctx);
      break;
    case 'CreateDomainStmt':
      ctx.addDomain(lastName(stmt.domainname), {
        base: columnTypeFromAst(stmt.typeName),
        constrained: ((stmt.constraints ?? []) as AnyNode[]).some((c) => ['CONSTR_CHECK', 'CONSTR_NOTNULL'].includes(c.Constraint?.contype)),
      });
      break;
    case 'CreateEnumStmt':
    case 'CreateRangeStmt':
      ctx.addUserType(lastName(stmt.typeName));
      break;
    case 'CompositeTypeStmt':
      ctx.addUserType(stmt.typevar?.relname);
      break;
    case 'AlterEnumStmt':
      effects.actions = [];
      if (!stmt.oldVal && ctx.pgVersion < 12) notInTransaction(effects, 'ALTER TYPE … ADD VALUE before PostgreSQL 12');
      break;
    case 'VariableSetStmt':
    case 'SelectStmt': {
      const setting = statementType === 'VariableSetStmt' ? settingFromVariableSet(stmt) : settingFromSelect(stmt);
      if (setting) {
        effects.setting = setting;
        applySetting(ctx, setting);
      }
      break;
    }
    case 'TransactionStmt':
      effects.transaction = transactionControl(stmt.kind);
      if (effects.transaction === 'begin') ctx.beginTransaction();
      else if (effects.transaction === 'commit' || effects.transaction === 'rollback') ctx.endTransaction();
      break;
    case 'DoStmt':
      effects.nested = analyzeDoBlock(input.text, ctx);
      break;
  }
  if (reached) effects.actions = withReachedDescendants(effects.actions, reached, ctx);
  effects.relations = combineByRelation(effects.actions);
  const requires = versionRequirements(input.node);
  if (requires.length) effects.requires = requires;
  ctx.holdLocks(strongLocksOnExisting(effects, { reached: true }));
  return effects;
}

/**
 * Locks ordinary traffic queues behind, on relations that existed before the run. Nobody writes
 * to a materialized view, so there only a lock that blocks reads counts.
 */
/**
 * The strong locks a statement takes on relations that existed before the run. A partition or
 * child that ALTER TABLE on its parent reaches is part of the one table the statement names: it
 * is left out, or with `reached` listed with `via` its parent (its lock is held all the same).
 */
export function strongLocksOnExisting(effects: StatementEffects, options: { reached?: boolean } = {}): HeldLock[] {
  const parents = new Map(effects.actions.filter((a) => a.partOf !== undefined).map((a) => [a.relation.key, a.partOf!]));
  for (const a of effects.actions) if (a.partOf === undefined) parents.delete(a.relation.key);
  return effects.relations
    .filter((r) => !r.isNew && (options.reached || !parents.has(r.relation.key)) && (r.relation.kind === 'materialized-view' ? blocksReads(r.lock) : isStrongLock(r.lock)))
    .map((r) => {
      const via = parents.get(r.relation.key);
      return via ? { relation: r.relation, lock: r.lock, via } : { relation: r.relation, lock: r.lock };
    });
}

function notInTransaction(effects: StatementEffects, what: string): void {
  effects.transactional = false;
  effects.nonTransactionalReason = `${what} cannot run inside a transaction block`;
}

/** COMMENT ON TABLE/COLUMN takes ShareUpdateExclusiveLock on the table: writes and reads continue. */
function comment(stmt: AnyNode, ctx: AnalysisContext): Action[] {
  const items: AnyNode[] = stmt.object?.List?.items ?? [];
  if (stmt.objtype === 'OBJECT_TABLE') return [newAction('comment', relationFromNameList(stmt.object, 'table'), 'ShareUpdateExclusiveLock', ctx)];
  if (stmt.objtype === 'OBJECT_COLUMN' && items.length >= 2) {
    const table = relationFromNameList({ List: { items: items.slice(0, -1) } }, 'table');
    return [newAction('comment', table, 'ShareUpdateExclusiveLock', ctx, { column: items[items.length - 1]?.String?.sval })];
  }
  return [];
}

/** TRUNCATE … CASCADE empties the tables with foreign keys to it as well. */
function truncate(stmt: AnyNode, ctx: AnalysisContext): Action[] {
  const named: RelationRef[] = (stmt.relations ?? []).map((r: AnyNode) => relationFromRangeVar(r.RangeVar));
  const all = new Map(named.map((r) => [r.key, r]));
  if (stmt.behavior === 'DROP_CASCADE') {
    for (let i = 0; i < all.size; i++) for (const r of ctx.referencing([...all.values()][i])) if (!all.has(r.key)) all.set(r.key, r);
  }
  return [...all.values()].map((rel) =>
    newAction('truncate', rel, 'AccessExclusiveLock', ctx, {
      rewrite: 'yes',
      rewriteReason: named.some((n) => n.key === rel.key) ? 'replaces the table with new, empty storage (instant: no row is read)' : 'emptied by TRUNCATE … CASCADE',
      alsoLocks: ['ShareLock'],
    }),
  );
}

/** The last element of a qualified name list ([schema, name]). */
function lastName(names: AnyNode[] | undefined): string {
  const list = names ?? [];
  return String(list[list.length - 1]?.String?.sval ?? '');
}

/** The column names an expression refers to (the last part of each column reference). */
function columnRefs(exprs: AnyNode[]): string[] {
  const names: string[] = [];
  walkTree(exprs, (_key, node) => {
    const fields = node?.ColumnRef?.fields as AnyNode[] | undefined;
    const last = fields?.[fields.length - 1]?.String?.sval;
    if (typeof last === 'string') names.push(last);
  });
  return names;
}

function createIndex(stmt: AnyNode, ctx: AnalysisContext): Action {
  const table = relationFromRangeVar(stmt.relation);
  const concurrent = stmt.concurrent === true;
  if (stmt.idxname) {
    const index = relationFromRangeVar({ schemaname: stmt.relation?.schemaname, relname: stmt.idxname }, 'index');
    if (stmt.if_not_exists && ctx.exists(index)) {
      // The table is locked before the name is looked up; then PostgreSQL notices the index exists and builds nothing.
      return newAction('create-index', table, concurrent ? 'ShareUpdateExclusiveLock' : 'ShareLock', ctx, { concurrent, noOp: `index ${stmt.idxname} already exists: nothing is built` });
    }
    ctx.indexCreated(index, table, stmt.tableSpace ?? ctx.defaultTablespace);
    if (ctx.isNew(table)) ctx.markNew(index);
  }
  const params = (stmt.indexParams ?? []) as AnyNode[];
  const keyColumns: string[] = params.map((p) => p.IndexElem?.name).filter(Boolean);
  // An index with an expression or a predicate is never reused by a type change of any of its columns.
  const expressions = [...params.map((p) => p.IndexElem?.expr).filter(Boolean), ...(stmt.whereClause ? [stmt.whereClause] : [])];
  ctx.addIndexedColumns(table, [...keyColumns, ...columnRefs(expressions)], expressions.length > 0 ? 'expression' : 'plain');
  // CREATE INDEX ON ONLY <partitioned table> creates the parent index invalid, without building
  // anything (the parser leaves out inh when ONLY is given). ONLY means that only for a
  // partitioned table, so unless the table is known to be plain that is what the author is doing
  // (the first step of the partitioned-index recipe).
  if (stmt.relation && stmt.relation.inh !== true && ctx.isPartitioned(table) !== false) {
    return newAction('create-index', table, 'ShareLock', ctx, { concurrent, note: 'ON ONLY a partitioned table: the index is created invalid, nothing is built' });
  }
  return newAction('create-index', table, concurrent ? 'ShareUpdateExclusiveLock' : 'ShareLock', ctx, {
    concurrent,
    scan: true,
    scanReason: concurrent ? 'reads the table twice without blocking writes' : 'reads every row while writes are blocked',
    indexBuild: { concurrent, unique: stmt.unique === true, name: stmt.idxname },
  });
}

function drop(stmt: AnyNode, ctx: AnalysisContext): Action[] {
  const objects: AnyNode[] = stmt.objects ?? [];
  if (stmt.removeType === 'OBJECT_INDEX') {
    const concurrent = stmt.concurrent === true;
    return objects.map((o) => {
      const index = relationFromNameList(o, 'index');
      const table = ctx.tableOfIndex(index);
      const lock: LockMode = concurrent ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock';
      const a = newAction('drop-index', table ?? index, lock, ctx, { concurrent, newName: index.name });
      a.isNew = ctx.isNew(index) || (table !== undefined && ctx.isNew(table));
      // index_drop() takes the same mode on the index as on its table.
      if (table) a.otherLocks = [{ relation: index, lock, isNew: a.isNew }];
      else a.note = `also locks the table of ${index.name} with ${lock}`;
      ctx.forget(index);
      return a;
    });
  }
  if (stmt.removeType === 'OBJECT_TRIGGER') {
    // DROP TRIGGER t ON table: the list is [schema?, table, trigger].
    return objects.map((o) => {
      const items: AnyNode[] = o.List?.items ?? [];
      const table = relationFromNameList({ List: { items: items.slice(0, -1) } }, 'table');
      return newAction('drop-trigger', table, 'AccessExclusiveLock', ctx, { alsoLocks: ['AccessShareLock'], note: `trigger ${items[items.length - 1]?.String?.sval}` });
    });
  }
  const kinds: Record<string, RelationRef['kind']> = { OBJECT_TABLE: 'table', OBJECT_MATVIEW: 'materialized-view', OBJECT_VIEW: 'relation', OBJECT_SEQUENCE: 'relation' };
  const kind = kinds[stmt.removeType];
  if (!kind) return [];
  return objects.map((o) => {
    const rel = relationFromNameList(o, kind);
    // Its foreign keys go (ACCESS EXCLUSIVE on the tables they reference), and so do those of tables referencing it.
    const referencing = ctx.referencing(rel).map((r) => ({ relation: r, lock: 'AccessExclusiveLock' as const, isNew: ctx.isNew(r) }));
    // CASCADE drops the views that read it, each under ACCESS EXCLUSIVE.
    const views = stmt.behavior === 'DROP_CASCADE' ? viewsDependingOn(rel, ctx) : [];
    const viewLocks = views.map((v) => ({ relation: v, lock: 'AccessExclusiveLock' as const, isNew: ctx.isNew(v) }));
    const otherLocks = [...(referencedTableLocks(ctx.foreignKeysOf(rel), ctx) ?? []), ...referencing, ...viewLocks];
    for (const v of views) ctx.forget(v);
    const a = newAction('drop-table', rel, 'AccessExclusiveLock', ctx, {
      note: stmt.removeType === 'OBJECT_TABLE' ? undefined : stmt.removeType,
      otherLocks: otherLocks.filter((l) => l.relation.key !== rel.key),
    });
    // IF EXISTS on a relation nothing before declared: when it is not there, nothing is locked.
    if (stmt.missing_ok && !ctx.exists(rel)) a.cannotProve = `whether ${rel.name} exists (DROP … IF EXISTS locks nothing when it does not): it is not created earlier in the run nor in lint.schemaFile`;
    ctx.forget(rel);
    return a;
  });
}

/** Views reading the relation, and views reading those, each once. */
function viewsDependingOn(rel: RelationRef, ctx: AnalysisContext): RelationRef[] {
  const out: RelationRef[] = [];
  const seen = new Set([rel.key]);
  const todo = [rel];
  while (todo.length > 0) {
    for (const view of ctx.viewsReading(todo.pop()!)) {
      if (seen.has(view.key)) continue;
      seen.add(view.key);
      out.push(view);
      todo.push(view);
    }
  }
  return out;
}

function hasOption(params: AnyNode[] | undefined, name: string): boolean {
  return (params ?? []).some((p) => {
    const d = p.DefElem;
    if (d?.defname !== name) return false;
    // (CONCURRENTLY false) / (FULL off) switch it off explicitly.
    const arg = d.arg;
    if (!arg) return true;
    if (arg.Boolean) return arg.Boolean.boolval === true;
    const s = String(arg.String?.sval ?? arg.Integer?.ival ?? '').toLowerCase();
    return !['false', 'off', '0', 'no'].includes(s);
  });
}

function reindex(stmt: AnyNode, ctx: AnalysisContext): Action[] {
  if (!stmt.relation) return [];
  const concurrent = hasOption(stmt.params, 'concurrently');
  const isIndex = stmt.kind === 'REINDEX_OBJECT_INDEX';
  const target = relationFromRangeVar(stmt.relation, isIndex ? 'index' : 'table');
  const table = isIndex ? ctx.tableOfIndex(target) : target;
  const lock: LockMode = concurrent ? 'ShareUpdateExclusiveLock' : 'ShareLock';
  const a = newAction('reindex', table ?? target, isIndex && !table ? (concurrent ? lock : 'AccessExclusiveLock') : lock, ctx, {
    concurrent,
    rewrite: isIndex && !table ? 'yes' : 'no',
    rewriteReason: 'writes the index anew; the table itself is not rewritten',
    scan: true,
    scanReason: 'reads every row of the table to build the index again',
    indexBuild: { concurrent, unique: false },
  });
  if (isIndex) {
    a.isNew = ctx.isNew(target) || (table !== undefined && ctx.isNew(table));
    if (table) a.otherLocks = [{ relation: target, lock: concurrent ? lock : 'AccessExclusiveLock', isNew: a.isNew, rewrite: 'yes' }];
    else a.note = `also takes ${lock} on the table of ${target.name}`;
  }
  return [a];
}

function vacuum(stmt: AnyNode, ctx: AnalysisContext): Action[] {
  const full = stmt.is_vacuumcmd && hasOption(stmt.options, 'full');
  return ((stmt.rels ?? []) as AnyNode[]).map((r) => {
    const rel = relationFromRangeVar(r.VacuumRelation?.relation);
    if (full) return newAction('vacuum-full', rel, 'AccessExclusiveLock', ctx, rewriting('VACUUM FULL writes a new copy of the table'));
    if (!stmt.is_vacuumcmd) return newAction('analyze', rel, 'ShareUpdateExclusiveLock', ctx);
    return newAction('vacuum', rel, 'ShareUpdateExclusiveLock', ctx, { scan: true, scanReason: 'reads the table without blocking reads or writes' });
  });
}

function refreshMatView(stmt: AnyNode, ctx: AnalysisContext): Action {
  const rel = relationFromRangeVar(stmt.relation, 'materialized-view');
  // The view's query reads its source tables again (AccessShareLock: nobody waits for it).
  const otherLocks: OtherLock[] = ctx.sourcesOf(rel).map((src) => ({ relation: src, lock: 'AccessShareLock', isNew: ctx.isNew(src), scan: true }));
  if (stmt.concurrent) {
    return newAction('refresh-materialized-view', rel, 'ExclusiveLock', ctx, {
      alsoLocks: ['RowExclusiveLock', 'AccessShareLock'],
      otherLocks,
      concurrent: true,
      scan: true,
      scanReason: 'recomputes the query and compares it with the current contents; reads continue',
    });
  }
  // The new storage is read only to build the view's indexes again; its sources are what the query reads.
  const rebuildsIndexes = !ctx.exists(rel) || ctx.hasIndex(rel);
  return newAction('refresh-materialized-view', rel, 'AccessExclusiveLock', ctx, {
    ...rewriting('recomputes the query into new storage'),
    scan: rebuildsIndexes,
    scanReason: rebuildsIndexes ? 'reads the new contents to build the indexes of the view again' : undefined,
    alsoLocks: ['ExclusiveLock', 'ShareLock', 'AccessShareLock'],
    otherLocks,
  });
}

/**
 * CREATE [OR REPLACE] VIEW takes AccessExclusiveLock on the view: replacing a view that exists
 * waits for every query reading it. Its source tables are only read while the query is analysed.
 */
function createView(stmt: AnyNode, ctx: AnalysisContext): Action {
  const view = relationFromRangeVar(stmt.view, 'relation');
  if (!stmt.replace) ctx.markNew(view);
  ctx.relationCreated(view);
  ctx.nameTaken(view.key);
  const sources = tablesReadBy(stmt.query);
  // What it reads: DROP … CASCADE of one of those drops the view too.
  ctx.setViewSources(view, sources);
  const otherLocks: OtherLock[] = sources.map((src) => ({ relation: src, lock: 'AccessShareLock', isNew: ctx.isNew(src) }));
  return newAction('create-view', view, 'AccessExclusiveLock', ctx, { otherLocks });
}

/** Every table a query names (FROM, JOIN, subqueries), minus CTE names. */
function tablesReadBy(query: AnyNode): RelationRef[] {
  const found = new Map<string, RelationRef>();
  const ctes = new Set<string>();
  walkTree(query, (_key, node) => {
    if (node.CommonTableExpr?.ctename) ctes.add(node.CommonTableExpr.ctename);
    if (node.RangeVar) {
      const rel = relationFromRangeVar(node.RangeVar);
      found.set(rel.key, rel);
    }
  });
  return [...found.values()].filter((r) => !ctes.has(r.key));
}

function dataChange(kind: 'update' | 'delete', stmt: AnyNode, ctx: AnalysisContext): Action {
  const wholeTable = !stmt.whereClause;
  return newAction(kind, relationFromRangeVar(stmt.relation), 'RowExclusiveLock', ctx, {
    wholeTable,
    scan: wholeTable,
    scanReason: wholeTable ? `${kind === 'update' ? 'updates' : 'deletes'} every row in one transaction` : undefined,
  });
}

const PARTITION_STRATEGIES: Record<string, PartitionKey['strategy']> = {
  PARTITION_STRATEGY_LIST: 'list',
  PARTITION_STRATEGY_RANGE: 'range',
  PARTITION_STRATEGY_HASH: 'hash',
  list: 'list',
  range: 'range',
  hash: 'hash',
};

function createTable(stmt: AnyNode, ctx: AnalysisContext): Action[] {
  const rel = relationFromRangeVar(stmt.relation);
  // IF NOT EXISTS on a table that exists: a notice; nothing is created, nothing locked.
  if (stmt.if_not_exists && ctx.exists(rel)) return [];
  ctx.markNew(rel);
  ctx.relationCreated(rel, stmt.tablespacename ?? ctx.defaultTablespace);
  ctx.setPartitioned(rel, stmt.partspec !== undefined);
  if (stmt.partspec) {
    const params: AnyNode[] = stmt.partspec.partParams ?? [];
    ctx.setPartitionKey(rel, {
      strategy: PARTITION_STRATEGIES[String(stmt.partspec.strategy)] ?? 'hash',
      columns: params.every((p) => p.PartitionElem?.name) ? params.map((p) => p.PartitionElem.name) : [],
    });
  }
  const main = newAction('create-table', rel, 'AccessExclusiveLock', ctx);
  const otherLocks: OtherLock[] = [];
  const lockReferenced = (c: AnyNode, column?: string) => {
    const info = constraintInfo(c, column !== undefined, column);
    if (info?.references) ctx.addForeignKey(rel, info.name, { table: rel, columns: info.columns, references: info.references, valid: !info.notValid });
    if (info?.references && info.references.key !== rel.key) {
      otherLocks.push({ relation: info.references, lock: 'ShareRowExclusiveLock', also: ['AccessShareLock'], isNew: ctx.isNew(info.references) });
      main.alsoLocks = ['ShareRowExclusiveLock', 'AccessShareLock'];
    }
    if (info?.provesNotNull) ctx.addNotNullCheck(rel, info.name ?? `${info.provesNotNull}_not_null_check`, { column: info.provesNotNull, valid: !info.notValid });
    if (info && info.type !== 'not-null') rememberConstraint(rel, info, c, ctx);
  };
  const primaryKeys = new Set<string>();
  for (const elt of stmt.tableElts ?? []) {
    if (elt.Constraint) {
      lockReferenced(elt.Constraint);
      const keys: string[] = (elt.Constraint.keys ?? []).map((k: AnyNode) => k.String?.sval);
      if (elt.Constraint.contype === 'CONSTR_PRIMARY') for (const k of keys) primaryKeys.add(k);
      if (['CONSTR_PRIMARY', 'CONSTR_UNIQUE'].includes(elt.Constraint.contype)) ctx.addIndexedColumns(rel, keys);
    }
  }
  for (const elt of stmt.tableElts ?? []) {
    const def = elt.ColumnDef;
    if (!def) continue;
    const constraints: AnyNode[] = (def.constraints ?? []).map((c: AnyNode) => c.Constraint).filter(Boolean);
    for (const c of constraints) lockReferenced(c, def.colname);
    if (constraints.some((c) => ['CONSTR_PRIMARY', 'CONSTR_UNIQUE'].includes(c.contype))) ctx.addIndexedColumns(rel, [def.colname]);
    const notNull =
      primaryKeys.has(def.colname) || constraints.some((c) => ['CONSTR_NOTNULL', 'CONSTR_PRIMARY', 'CONSTR_IDENTITY'].includes(c.contype));
    ctx.setColumn(rel, def.colname, { type: columnTypeFromAst(def.typeName), notNull });
  }
  if (stmt.partbound && stmt.inhRelations?.length) {
    const parent = relationFromRangeVar(stmt.inhRelations[0].RangeVar);
    if (stmt.partbound.is_default) ctx.setDefaultPartition(parent, rel);
    ctx.addChild(parent, rel);
    ctx.inheritColumns(parent, rel);
    otherLocks.push({ relation: parent, lock: 'AccessExclusiveLock', isNew: ctx.isNew(parent) });
  } else {
    // INHERITS (…): each parent is locked SHARE UPDATE EXCLUSIVE while the child is added to it.
    for (const item of stmt.inhRelations ?? []) {
      const parent = relationFromRangeVar(item.RangeVar);
      ctx.addChild(parent, rel);
      ctx.inheritColumns(parent, rel);
      otherLocks.push({ relation: parent, lock: 'ShareUpdateExclusiveLock', isNew: ctx.isNew(parent) });
    }
  }
  if (otherLocks.length) main.otherLocks = otherLocks;
  return [main];
}

/** Relations SET SCHEMA can move, by object type. */
const MOVABLE: Record<string, RelationRef['kind']> = {
  OBJECT_TABLE: 'table',
  OBJECT_FOREIGN_TABLE: 'table',
  OBJECT_MATVIEW: 'materialized-view',
  OBJECT_VIEW: 'relation',
  OBJECT_SEQUENCE: 'relation',
};

/**
 * ALTER TABLE (VIEW, SEQUENCE, …) … SET SCHEMA: ACCESS EXCLUSIVE on the relation, which is known
 * under its new schema afterwards (its indexes move with it). Other objects (types, functions)
 * lock no relation.
 */
function setSchema(stmt: AnyNode, ctx: AnalysisContext): Action[] {
  const kind = MOVABLE[stmt.objectType];
  if (!kind || !stmt.relation) return [];
  const rel = relationFromRangeVar(stmt.relation, kind);
  const action = newAction('rename-other', rel, 'AccessExclusiveLock', ctx, { newName: `${stmt.newschema}.${stmt.relation.relname}`, note: 'SET SCHEMA' });
  ctx.renameRelation(rel, relationFromRangeVar({ ...stmt.relation, schemaname: stmt.newschema }, kind));
  return [action];
}

function rename(stmt: AnyNode, ctx: AnalysisContext): Action[] {
  if (stmt.renameType === 'OBJECT_TYPE' || stmt.renameType === 'OBJECT_DOMAIN') {
    const items: AnyNode[] = stmt.object?.List?.items ?? [];
    const from = items[items.length - 1]?.String?.sval;
    if (from) {
      ctx.renameType(from, stmt.newname);
      ctx.renameUserType(from, stmt.newname);
    }
    return [];
  }
  if (!stmt.relation) return [];
  switch (stmt.renameType) {
    case 'OBJECT_COLUMN': {
      const rel = relationFromRangeVar(stmt.relation);
      const a = newAction('rename-column', rel, 'AccessExclusiveLock', ctx, { column: stmt.subname, newName: stmt.newname });
      ctx.renameColumn(rel, stmt.subname, stmt.newname);
      if (ctx.nameTaken(`${rel.key}.${stmt.newname}`) && isTemporaryName(stmt.subname)) a.secondHalfOfSwap = true;
      ctx.nameFreed(`${rel.key}.${stmt.subname}`, a);
      return [a];
    }
    case 'OBJECT_TABLE': {
      const rel = relationFromRangeVar(stmt.relation);
      const a = newAction('rename-table', rel, 'AccessExclusiveLock', ctx, { newName: stmt.newname });
      const renamed = relationFromRangeVar({ ...stmt.relation, relname: stmt.newname });
      ctx.renameRelation(rel, renamed);
      if (ctx.nameTaken(renamed.key) && (isTemporaryName(rel.name) || a.isNew)) a.secondHalfOfSwap = true;
      ctx.nameFreed(rel.key, a);
      return [a];
    }
    case 'OBJECT_INDEX': {
      const rel = relationFromRangeVar(stmt.relation, 'index');
      ctx.renameRelation(rel, relationFromRangeVar({ ...stmt.relation, relname: stmt.newname }, 'index'));
      // Since PostgreSQL 12 renaming an index takes only ShareUpdateExclusive.
      return [newAction('rename-other', rel, ctx.pgVersion >= 12 ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock', ctx, { newName: stmt.newname })];
    }
    case 'OBJECT_MATVIEW': {
      const rel = relationFromRangeVar(stmt.relation, 'materialized-view');
      ctx.renameRelation(rel, relationFromRangeVar({ ...stmt.relation, relname: stmt.newname }, 'materialized-view'));
      return [newAction('rename-other', rel, 'AccessExclusiveLock', ctx, { newName: stmt.newname, note: stmt.renameType })];
    }
    case 'OBJECT_TABCONSTRAINT': {
      const rel = relationFromRangeVar(stmt.relation);
      ctx.renameConstraint(rel, stmt.subname, stmt.newname);
      return [newAction('rename-other', rel, 'AccessExclusiveLock', ctx, { newName: stmt.newname, note: stmt.renameType })];
    }
    default:
      return [newAction('rename-other', relationFromRangeVar(stmt.relation, 'relation'), 'AccessExclusiveLock', ctx, { newName: stmt.newname, note: stmt.renameType })];
  }
}

/**
 * The second rename of a swap moves a stand-in (users_new, score_tmp, new_users) into the freed
 * name; nobody queries a stand-in by its temporary name, so renaming it away breaks no client.
 */
function isTemporaryName(name: string): boolean {
  return /(_new|_tmp|_temp|_next|_v2)$|^(new|tmp|temp)_/i.test(name.split('.').pop() ?? name);
}

function transactionControl(kind: string): TransactionControl {
  switch (kind) {
    case 'TRANS_STMT_BEGIN':
    case 'TRANS_STMT_START':
      return 'begin';
    case 'TRANS_STMT_COMMIT':
      return 'commit';
    case 'TRANS_STMT_ROLLBACK':
      return 'rollback';
    case 'TRANS_STMT_SAVEPOINT':
    case 'TRANS_STMT_RELEASE':
    case 'TRANS_STMT_ROLLBACK_TO':
      return 'savepoint';
    default:
      return 'other';
  }
}

/** Statements inside DO $$ … $$ run in the DO's transaction; CONCURRENTLY and VACUUM fail there. */
/** How many DO blocks enclose the one being analysed (a DO block can EXECUTE another). */
let doBlockDepth = 0;

function analyzeDoBlock(text: string, ctx: AnalysisContext): StatementEffects['nested'] {
  if (doBlockDepth >= LIMITS.doBlockDepth) throw new AnalysisLimitError(`DO blocks nested more than ${LIMITS.doBlockDepth} deep are not analysed`);
  doBlockDepth++;
  try {
    return analyzeDoBlockBody(text, ctx);
  } finally {
    doBlockDepth--;
  }
}

function analyzeDoBlockBody(text: string, ctx: AnalysisContext): StatementEffects['nested'] {
  let parsed: unknown;
  try {
    parsed = parsePlpgsql(text);
  } catch {
    return [];
  }
  const implicit = !ctx.transaction.open;
  if (implicit) ctx.beginTransaction();
  const nested = extractDoBlockStatements(parsed).map((s) => {
    const before = ctx.snapshot();
    const effects = analyzeStatement(s, ctx);
    if (s.conditional) for (const a of effects.actions) a.conditional = `it sits in ${s.conditional}`;
    return { text: s.text, effects, before };
  });
  if (implicit) ctx.endTransaction();
  return nested;
}

const REWRITE_RANK: Record<Rewrite, number> = { no: 0, unknown: 1, yes: 2 };

/** Folds the actions of a statement into one effect per relation. */
export function combineByRelation(actions: Action[]): RelationEffect[] {
  const byKey = new Map<string, RelationEffect>();
  const touch = (relation: RelationRef, lock: LockMode, isNew: boolean): RelationEffect => {
    let e = byKey.get(relation.key);
    if (!e) {
      e = { relation, locks: [], lock, rewrite: 'no', scan: false, isNew };
      byKey.set(relation.key, e);
    }
    if (!e.locks.includes(lock)) e.locks.push(lock);
    e.locks.sort((a, b) => lockRank(b) - lockRank(a));
    e.lock = e.locks[0];
    return e;
  };
  for (const a of actions) {
    const e = touch(a.relation, a.lock, a.isNew);
    for (const m of a.alsoLocks ?? []) touch(a.relation, m, a.isNew);
    if (REWRITE_RANK[a.rewrite] > REWRITE_RANK[e.rewrite]) e.rewrite = a.rewrite;
    e.scan ||= a.scan;
    if (a.indexBuild) e.indexBuild = { concurrent: a.indexBuild.concurrent && (e.indexBuild?.concurrent ?? true) };
    for (const o of a.otherLocks ?? []) {
      let other: RelationEffect | undefined;
      for (const m of [o.lock, ...(o.also ?? [])]) other = touch(o.relation, m, o.isNew);
      if (other && o.rewrite && REWRITE_RANK[o.rewrite] > REWRITE_RANK[other.rewrite]) other.rewrite = o.rewrite;
      if (other && o.scan) other.scan = true;
    }
  }
  return [...byKey.values()];
}
