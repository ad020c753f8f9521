/**
 * ALTER TABLE: one action per subcommand, with the lock level PostgreSQL takes for it
 * (AlterTableGetLockLevel), whether it rewrites (ATRewriteTables) and whether it scans
 * existing rows to verify something (NOT NULL, CHECK, FOREIGN KEY, partition bounds).
 */
import { newAction, rewriting } from './action';
import { columnTypeFromAst, rawTypeName, SERIAL_TYPES, typeChangeRewrite } from './column-types';
import type { AnalysisContext, ForeignKey } from './context';
import type { LockMode } from './locks';
import { relationFromRangeVar } from './names';
import { checksImplyBound } from './partition-bounds';
import type { Action, ColumnType, ConstraintInfo, OtherLock, RelationKind, RelationRef } from './types';
import { volatilityOf } from './volatility';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyNode = any;

const OBJECT_KINDS: Record<string, RelationKind> = {
  OBJECT_TABLE: 'table',
  OBJECT_INDEX: 'index',
  OBJECT_MATVIEW: 'materialized-view',
};

export function alterTableActions(stmt: AnyNode, ctx: AnalysisContext): Action[] {
  const relation = relationFromRangeVar(stmt.relation, OBJECT_KINDS[stmt.objtype] ?? 'relation');
  // Known partitions and inheritance children, read before the subcommands change them (ATTACH, INHERIT).
  const descendants = stmt.relation?.inh === true && relation.kind !== 'index' ? ctx.descendantsOf(relation) : [];
  const actions: Action[] = [];
  for (const c of stmt.cmds ?? []) {
    const cmd = c.AlterTableCmd;
    if (cmd) actions.push(...alterTableCmd(cmd, relation, ctx));
  }
  return descendants.length > 0 ? withDescendants(actions, relation, descendants, ctx) : actions;
}

/**
 * Subcommands that ALTER TABLE (without ONLY) applies to every partition and inheritance child
 * too, each child under the same lock (ATSimpleRecursion, ATPrepCmd's recursion): a rewrite, a
 * scan or an index build happens in each child's storage. A partitioned table has no storage of
 * its own: its action is marked inPartitions (rules still judge it, the trace sees only its lock).
 */
const RECURSES: ReadonlySet<Action['kind']> = new Set([
  'add-column',
  'drop-column',
  'alter-column-type',
  'set-default',
  'drop-default',
  'set-not-null',
  'drop-not-null',
  'add-constraint',
  'validate-constraint',
  'drop-constraint',
]);

const INDEX_CONSTRAINTS: ReadonlySet<string> = new Set(['unique', 'primary-key', 'exclusion']);
const AEL_LOCK: LockMode = 'AccessExclusiveLock';

function withDescendants(actions: Action[], parent: RelationRef, descendants: RelationRef[], ctx: AnalysisContext): Action[] {
  const out: Action[] = [];
  const partitioned = ctx.isPartitioned(parent) === true;
  for (const action of actions) {
    const indexConstraint = action.kind === 'add-constraint' && INDEX_CONSTRAINTS.has(action.constraint?.type ?? 'check');
    // Indexes are not inherited: a UNIQUE or PRIMARY KEY reaches partitions only.
    if (!RECURSES.has(action.kind) || action.relation.key !== parent.key || (indexConstraint && !partitioned)) {
      out.push(action);
      continue;
    }
    out.push(partitioned ? { ...action, inPartitions: true } : action);
    for (const child of descendants) {
      if (action.column !== undefined) {
        // The child's column is the parent's: what the subcommand made of it holds there too.
        const facts = ctx.column(parent, action.column);
        if (facts) ctx.setColumn(child, action.column, { ...facts });
        else if (action.kind === 'drop-column') ctx.dropColumn(child, action.column);
      }
      if (partitioned && ctx.isPartitioned(child) === true) {
        out.push({ ...action, relation: child, partOf: parent, isNew: ctx.isNew(child), otherLocks: undefined, rewrite: 'no', rewriteReason: undefined, scan: false, scanReason: undefined, indexBuild: undefined, cannotProve: undefined });
      } else if (indexConstraint) {
        // Each partition gets its index as CREATE INDEX builds one, under SHARE; a PRIMARY KEY whose
        // columns the partition does not yet have NOT NULL sets them first, under ACCESS EXCLUSIVE.
        const keyColumns = action.constraint?.type === 'primary-key' ? action.constraint.columns : [];
        const setsNotNull = keyColumns.some((c) => !ctx.column(child, c)?.notNull);
        for (const c of keyColumns) {
          const facts = ctx.column(child, c);
          if (facts) ctx.setColumn(child, c, { ...facts, notNull: true });
        }
        const locks = setsNotNull ? { lock: AEL_LOCK, alsoLocks: ['ShareLock' as LockMode] } : { lock: 'ShareLock' as LockMode, alsoLocks: undefined };
        out.push({ ...action, relation: child, partOf: parent, isNew: ctx.isNew(child), otherLocks: undefined, ...locks });
      } else {
        out.push({ ...action, relation: child, partOf: parent, isNew: ctx.isNew(child), otherLocks: undefined });
      }
    }
  }
  return out;
}

function alterTableCmd(cmd: AnyNode, rel: RelationRef, ctx: AnalysisContext): Action[] {
  const AEL: LockMode = 'AccessExclusiveLock';
  const column: string | undefined = cmd.name;
  switch (cmd.subtype) {
    case 'AT_AddColumn':
      return addColumn(cmd.def?.ColumnDef, rel, ctx, cmd.missing_ok === true);
    case 'AT_DropColumn': {
      const a = newAction('drop-column', rel, AEL, ctx, { column, otherLocks: referencedTableLocks(ctx.foreignKeysOf(rel, column), ctx) });
      if (column) ctx.dropColumn(rel, column);
      return [a];
    }
    case 'AT_AlterColumnType':
      return [alterColumnType(cmd, rel, ctx)];
    case 'AT_ColumnDefault':
      return cmd.def
        ? [newAction('set-default', rel, AEL, ctx, { column, defaultVolatility: volatilityOf(cmd.def) })]
        : [newAction('drop-default', rel, AEL, ctx, { column })];
    case 'AT_SetNotNull':
      return [setNotNull(rel, column!, ctx)];
    case 'AT_DropNotNull': {
      const facts = column ? ctx.column(rel, column) : undefined;
      if (facts && column) ctx.setColumn(rel, column, { ...facts, notNull: false });
      return [newAction('drop-not-null', rel, AEL, ctx, { column })];
    }
    case 'AT_AddConstraint':
      return addConstraint(cmd.def?.Constraint, rel, ctx, false);
    case 'AT_ValidateConstraint': {
      const alreadyValid = ctx.constraintValid(rel, cmd.name) === true;
      ctx.validateConstraint(rel, cmd.name);
      const references = ctx.foreignKey(rel, cmd.name)?.references;
      if (alreadyValid) {
        return [newAction('validate-constraint', rel, 'ShareUpdateExclusiveLock', ctx, { note: `${cmd.name} is already valid: nothing is checked` })];
      }
      const a = newAction('validate-constraint', rel, 'ShareUpdateExclusiveLock', ctx, {
        scan: true,
        scanReason: 'checks every existing row, without blocking reads or writes',
        constraint: { type: references ? 'foreign-key' : 'check', name: cmd.name, notValid: false, inline: false, columns: [], references },
      });
      // Validating a foreign key reads the referenced table under RowShareLock (writes continue).
      if (references) a.otherLocks = [{ relation: references, lock: 'RowShareLock', isNew: ctx.isNew(references), scan: true }];
      return [a];
    }
    case 'AT_DropConstraint': {
      const fk = ctx.foreignKey(rel, cmd.name);
      const a = newAction('drop-constraint', rel, AEL, ctx, { note: `constraint ${cmd.name}`, otherLocks: referencedTableLocks(fk ? [fk] : [], ctx) });
      ctx.dropConstraint(rel, cmd.name);
      return [a];
    }
    case 'AT_SetTableSpace':
      return [setTablespace(rel, cmd.name, ctx)];
    case 'AT_SetLogged':
      return [newAction('set-logged', rel, AEL, ctx, rewriting('rewrites the table to write it to the WAL'))];
    case 'AT_SetUnLogged':
      return [newAction('set-unlogged', rel, AEL, ctx, rewriting('rewrites the table without WAL'))];
    case 'AT_SetRelOptions':
    case 'AT_ResetRelOptions':
      return [newAction('set-storage-params', rel, relOptionsLock(cmd.def), ctx)];
    case 'AT_SetStatistics':
    case 'AT_SetOptions':
    case 'AT_ResetOptions':
      return [newAction('set-statistics', rel, 'ShareUpdateExclusiveLock', ctx, { column })];
    case 'AT_ClusterOn':
    case 'AT_DropCluster':
      return [newAction('alter-table-other', rel, 'ShareUpdateExclusiveLock', ctx, { note: cmd.subtype })];
    // Catalog-only changes under the strongest lock: no rewrite, no scan.
    case 'AT_ChangeOwner':
    case 'AT_ReplicaIdentity':
    case 'AT_EnableRowSecurity':
    case 'AT_DisableRowSecurity':
    case 'AT_ForceRowSecurity':
    case 'AT_NoForceRowSecurity':
    case 'AT_SetStorage':
    case 'AT_SetIdentity':
    case 'AT_DropIdentity':
    case 'AT_DropExpression':
      return [newAction('alter-table-other', rel, AEL, ctx, { note: cmd.subtype })];
    case 'AT_AttachPartition':
      return rel.kind === 'index' ? attachIndexPartition(cmd.def?.PartitionCmd, rel, ctx) : attachPartition(cmd.def?.PartitionCmd, rel, ctx);
    case 'AT_DetachPartition':
    case 'AT_DetachPartitionFinalize':
      return detachPartition(cmd.def?.PartitionCmd, rel, ctx);
    case 'AT_EnableTrig':
    case 'AT_EnableAlwaysTrig':
    case 'AT_EnableReplicaTrig':
    case 'AT_DisableTrig':
    case 'AT_EnableTrigAll':
    case 'AT_DisableTrigAll':
    case 'AT_EnableTrigUser':
    case 'AT_DisableTrigUser':
      return [newAction('alter-table-other', rel, 'ShareRowExclusiveLock', ctx, { note: cmd.subtype })];
    case 'AT_AddInherit':
    case 'AT_DropInherit': {
      const parent = relationFromRangeVar(cmd.def?.RangeVar);
      if (cmd.subtype === 'AT_AddInherit') ctx.addChild(parent, rel);
      else ctx.removeChild(parent, rel);
      // Both take the child ACCESS EXCLUSIVE; INHERIT adds it to the parent under SHARE UPDATE
      // EXCLUSIVE, NO INHERIT only reads the parent.
      const parentLock: LockMode = cmd.subtype === 'AT_AddInherit' ? 'ShareUpdateExclusiveLock' : 'AccessShareLock';
      return [newAction('alter-table-other', rel, AEL, ctx, { note: cmd.subtype, otherLocks: [{ relation: parent, lock: parentLock, isNew: ctx.isNew(parent) }] })];
    }
    case 'AT_SetAccessMethod':
      // A no-op when the table already uses that access method, a full rewrite otherwise.
      return [
        newAction('alter-table-other', rel, AEL, ctx, {
          rewrite: 'unknown',
          rewriteReason: `rewrites the table unless it already uses ${cmd.name ?? 'that access method'}`,
          scan: true,
          scanReason: 'reads every row to write the new copy (unless nothing changes)',
          note: cmd.subtype,
        }),
      ];
    default:
      return [
        newAction('alter-table-other', rel, AEL, ctx, {
          rewrite: 'unknown',
          rewriteReason: `dbops does not model ${String(cmd.subtype).replace(/^AT_/, '')}; assuming the strongest lock`,
          note: cmd.subtype,
        }),
      ];
  }
}

/**
 * The files are copied block by block (no scan, no index rebuild: indexes stay where they are),
 * unless the relation is already in that tablespace, when nothing happens beyond the lock.
 */
function setTablespace(rel: RelationRef, target: string, ctx: AnalysisContext): Action {
  const current = ctx.tablespaceOf(rel);
  const a = newAction('set-tablespace', rel, 'AccessExclusiveLock', ctx, { rewrite: 'yes', rewriteReason: `copies the whole ${rel.kind} to tablespace ${target}` });
  if (current === target) {
    Object.assign(a, { rewrite: 'no', rewriteReason: undefined, noOp: `${rel.name} is already in tablespace ${target}` });
  } else if (current === undefined) {
    Object.assign(a, { rewrite: 'unknown', cannotProve: `which tablespace ${rel.name} is in (nothing is copied when it is already in ${target}): it is not created earlier in the run nor in lint.schemaFile` });
  } else if (current === null && target === 'pg_default') {
    Object.assign(a, { rewrite: 'unknown', cannotProve: `the database's default tablespace (${rel.name} is in it; nothing is copied when that is pg_default)` });
  }
  ctx.setTablespace(rel, target);
  return a;
}

/** Every storage parameter takes ShareUpdateExclusive except those that change how the planner sees the table. */
function relOptionsLock(def: AnyNode): LockMode {
  const names = ((def?.List?.items ?? []) as AnyNode[]).map((i) => String(i.DefElem?.defname ?? ''));
  const strong = new Set(['user_catalog_table', 'check_option', 'security_barrier', 'security_invoker']);
  return names.some((n) => strong.has(n)) ? 'AccessExclusiveLock' : 'ShareUpdateExclusiveLock';
}

function addColumn(def: AnyNode, rel: RelationRef, ctx: AnalysisContext, ifNotExists: boolean): Action[] {
  const column: string = def?.colname ?? '?';
  if (ifNotExists && ctx.column(rel, column)) {
    return [newAction('add-column', rel, 'AccessExclusiveLock', ctx, { column, noOp: `column ${column} already exists: nothing is added` })];
  }
  const rawType = rawTypeName(def?.typeName);
  const type = columnTypeFromAst(def?.typeName);
  const constraints: AnyNode[] = (def?.constraints ?? []).map((c: AnyNode) => c.Constraint).filter(Boolean);
  const defaultExpr = constraints.find((c) => c.contype === 'CONSTR_DEFAULT')?.raw_expr;
  const identity = constraints.some((c) => c.contype === 'CONSTR_IDENTITY');
  const generated = constraints.find((c) => c.contype === 'CONSTR_GENERATED');
  const notNull = constraints.some((c) => c.contype === 'CONSTR_NOTNULL' || c.contype === 'CONSTR_PRIMARY') || identity;
  ctx.setColumn(rel, column, { type, notNull });

  const main = newAction('add-column', rel, 'AccessExclusiveLock', ctx, { column, newType: type });
  const hasDefault = defaultExpr !== undefined && !isNullConstant(defaultExpr);
  if (hasDefault) main.defaultVolatility = volatilityOf(defaultExpr);
  if (SERIAL_TYPES.has(rawType.toLowerCase())) {
    Object.assign(main, rewriting(`${rawType} fills every existing row from a sequence`), { generated: 'serial', alsoLocks: ['ShareLock', 'AccessShareLock'] });
  } else if (identity) {
    Object.assign(main, rewriting('an identity column fills every existing row from a sequence'), { generated: 'identity', alsoLocks: ['ShareLock', 'AccessShareLock'] });
  } else if (generated && generated.generated_kind !== 'v') {
    Object.assign(main, rewriting('a stored generated column computes and stores a value for every row'), { generated: 'stored' });
  } else if (hasDefault && ctx.pgVersion < 11) {
    Object.assign(main, rewriting(`before PostgreSQL 11 any non-null default is written into every row`));
  } else if (hasDefault && main.defaultVolatility === 'volatile') {
    Object.assign(main, rewriting('a volatile default is evaluated and stored for every existing row'));
  } else if (hasDefault && main.defaultVolatility === 'unknown') {
    Object.assign(main, {
      rewrite: 'unknown',
      rewriteReason: 'the default calls a function dbops cannot prove non-volatile; a volatile default rewrites the table',
      scan: true,
      scanReason: 'a volatile default is computed for every row',
    });
  } else if (notNull && !hasDefault && !generated) {
    Object.assign(main, { scan: true, scanReason: 'checks the new NOT NULL column for every existing row', failsIfRows: true });
  }
  // The REFERENCES of a new column are checked only when the column has a default expression —
  // DEFAULT NULL and serial's nextval() included (transformAlterTableStmt's skipValidation).
  const validateInline = defaultExpr !== undefined || SERIAL_TYPES.has(rawType.toLowerCase()) || (generated !== undefined && generated.generated_kind !== 'v');
  const actions = [main];
  for (const c of constraints) {
    if (['CONSTR_CHECK', 'CONSTR_FOREIGN', 'CONSTR_UNIQUE', 'CONSTR_PRIMARY', 'CONSTR_EXCLUSION'].includes(c.contype)) {
      actions.push(...addConstraint(c, rel, ctx, true, column, validateInline));
    }
  }
  return actions;
}

function isNullConstant(expr: AnyNode): boolean {
  return expr?.A_Const?.isnull === true;
}

function alterColumnType(cmd: AnyNode, rel: RelationRef, ctx: AnalysisContext): Action {
  const column: string = cmd.name;
  const def = cmd.def?.ColumnDef;
  const newType = columnTypeFromAst(def?.typeName);
  const facts = ctx.column(rel, column);
  const oldType = facts?.type;
  const verdict = typeChangeRewrite(oldType, newType, ctx.pgVersion, {
    timeZone: ctx.effectiveTimeZone(),
    domain: (name) => ctx.domain(name),
    isUserType: (name) => ctx.isUserType(name),
  });
  const usingExpression = def?.raw_default !== undefined && !isPlainCastOf(def.raw_default, column);
  let { rewrite, reason } = verdict;
  if (usingExpression && rewrite === 'no') {
    rewrite = 'unknown';
    reason = 'the USING expression may compute new values for every row';
  }
  ctx.setColumn(rel, column, { type: newType, notNull: facts?.notNull ?? false });
  const a = newAction('alter-column-type', rel, 'AccessExclusiveLock', ctx, { column, oldType, newType, rewrite, rewriteReason: reason, usingExpression });
  if (verdict.cannotProve && rewrite === 'unknown') a.cannotProve = verdict.cannotProve;
  if (rewrite !== 'no') Object.assign(a, { scan: true, scanReason: 'reads every row to convert it' });
  // A rewrite rebuilds every index; otherwise the indexes on the column are rebuilt logically.
  if (rewrite === 'yes' || ctx.isIndexed(rel, column)) a.alsoLocks = ['ShareLock'];
  // Without a rewrite an index on the column is kept when its operator class still fits the new
  // type; one with an expression or a predicate, or whose operator class changes, is built again.
  const use = ctx.indexUse(rel, column);
  if (rewrite !== 'yes' && use === 'expression') a.indexBuild = { concurrent: false, unique: false, reason: 'an index uses it in an expression or its WHERE predicate' };
  else if (rewrite !== 'yes' && use && !sameOperatorClass(oldType, newType, ctx)) {
    a.indexBuild = { concurrent: false, unique: false, reason: oldType ? `the index's operator class for ${oldType.display} does not fit ${newType?.display ?? 'the new type'}` : 'its current type is not known' };
  }
  if (a.indexBuild && !a.scan) Object.assign(a, { scan: true, scanReason: 'reads every row to build the index on the column again' });
  return a;
}

/** Types whose default btree operator classes are the same, so a plain index on the column is reused (varchar's is text's, cidr's inet's). */
const SAME_OPCLASS: Record<string, string> = { varchar: 'text', cidr: 'inet' };

/** Whether a plain index keeps its operator class across the type change (unknown: assume it does not). */
function sameOperatorClass(from: ColumnType | undefined, to: ColumnType | undefined, ctx: AnalysisContext): boolean {
  if (!from || !to || from.array !== to.array) return false;
  const family = (t: ColumnType) => {
    const name = ctx.domain(t.name)?.base.name ?? t.name;
    return SAME_OPCLASS[name] ?? name;
  };
  return family(from) === family(to);
}

/** USING col or USING col::type: the same as no USING at all. */
function isPlainCastOf(expr: AnyNode, column: string): boolean {
  const inner = expr?.TypeCast ? expr.TypeCast.arg : expr;
  const fields: AnyNode[] = inner?.ColumnRef?.fields ?? [];
  return fields.length === 1 && fields[0].String?.sval === column;
}

function setNotNull(rel: RelationRef, column: string, ctx: AnalysisContext): Action {
  const facts = ctx.column(rel, column);
  const a = newAction('set-not-null', rel, 'AccessExclusiveLock', ctx, { column });
  if (facts?.notNull) {
    a.note = 'the column is already NOT NULL';
  } else if (ctx.pgVersion >= 12 && ctx.hasValidNotNullCheck(rel, column)) {
    a.note = `a validated CHECK (${column} IS NOT NULL) proves it without a scan`;
  } else {
    a.scan = true;
    a.scanReason = 'checks every row for NULLs while holding the lock';
    if (!facts) a.cannotProve = `whether ${column} is already NOT NULL (then nothing is scanned): the column is not declared earlier in the run nor in lint.schemaFile`;
  }
  if (facts) ctx.setColumn(rel, column, { ...facts, notNull: true });
  return a;
}

function keyNames(list: AnyNode): string[] {
  return ((list ?? []) as AnyNode[]).map((k) => String(k.String?.sval ?? '')).filter(Boolean);
}

/** CHECK (col IS NOT NULL): the proof SET NOT NULL can use on PostgreSQL 12+. */
function notNullColumnOf(expr: AnyNode): string | undefined {
  const t = expr?.NullTest;
  if (!t || t.nulltesttype !== 'IS_NOT_NULL') return undefined;
  const fields: AnyNode[] = t.arg?.ColumnRef?.fields ?? [];
  return fields.length === 1 ? fields[0].String?.sval : undefined;
}

export function constraintInfo(c: AnyNode, inline: boolean, column?: string): ConstraintInfo | undefined {
  const types: Record<string, ConstraintInfo['type']> = {
    CONSTR_CHECK: 'check',
    CONSTR_FOREIGN: 'foreign-key',
    CONSTR_UNIQUE: 'unique',
    CONSTR_PRIMARY: 'primary-key',
    CONSTR_EXCLUSION: 'exclusion',
    CONSTR_NOTNULL: 'not-null',
  };
  const type = types[c?.contype];
  if (!type) return undefined;
  const columns = inline && column ? [column] : keyNames(type === 'foreign-key' ? c.fk_attrs : c.keys);
  return {
    type,
    name: c.conname,
    notValid: c.skip_validation === true,
    usingIndex: c.indexname,
    inline,
    columns,
    references: c.pktable ? relationFromRangeVar(c.pktable) : undefined,
    referencedColumns: c.pktable ? keyNames(c.pk_attrs) : undefined,
    provesNotNull: type === 'check' ? notNullColumnOf(c.raw_expr) : undefined,
  };
}

function addConstraint(c: AnyNode, rel: RelationRef, ctx: AnalysisContext, inline: boolean, column?: string, validateInline = false): Action[] {
  const info = constraintInfo(c, inline, column);
  if (!info) return [newAction('add-constraint', rel, 'AccessExclusiveLock', ctx, { rewrite: 'unknown', rewriteReason: `unmodelled constraint ${c?.contype}` })];
  const a = newAction('add-constraint', rel, 'AccessExclusiveLock', ctx, { constraint: info, column });
  rememberConstraint(rel, info, c, ctx);
  switch (info.type) {
    case 'check':
      if (info.provesNotNull) ctx.addNotNullCheck(rel, info.name ?? `${info.provesNotNull}_not_null_check`, { column: info.provesNotNull, valid: !info.notValid });
      if (!info.notValid) Object.assign(a, { scan: true, scanReason: 'checks every existing row while holding the lock' });
      break;
    case 'foreign-key': {
      a.lock = 'ShareRowExclusiveLock';
      a.alsoLocks = ['AccessShareLock'];
      // Inline on a new column: checked only when the column has a default expression (see addColumn).
      const validates = !info.notValid && (!inline || validateInline);
      if (info.references) {
        ctx.addForeignKey(rel, info.name, { table: rel, columns: info.columns, references: info.references, valid: !info.notValid });
        const also: LockMode[] = validates ? ['RowShareLock', 'AccessShareLock'] : ['AccessShareLock'];
        a.otherLocks = [{ relation: info.references, lock: 'ShareRowExclusiveLock', also, isNew: ctx.isNew(info.references), scan: validates }];
      }
      if (validates) Object.assign(a, { scan: true, scanReason: 'looks up every existing row in the referenced table while holding the lock' });
      break;
    }
    case 'unique':
    case 'primary-key':
    case 'exclusion':
      ctx.addIndexedColumns(rel, info.columns);
      if (info.usingIndex) {
        if (info.type === 'primary-key' && info.columns.some((col) => !ctx.column(rel, col)?.notNull) && !info.inline) {
          a.note = 'the index columns must be NOT NULL; unless they already are, PostgreSQL checks every row';
        }
      } else {
        Object.assign(a, {
          alsoLocks: ['ShareLock'],
          scan: true,
          scanReason: 'builds a unique index, reading every row while writes are blocked',
          indexBuild: { concurrent: false, unique: info.type !== 'exclusion', name: info.name },
        });
      }
      if (info.type === 'primary-key') for (const col of info.columns) markNotNull(rel, col, ctx);
      break;
    case 'not-null': {
      // PostgreSQL 18: ADD CONSTRAINT … NOT NULL col is SET NOT NULL with a name; NOT VALID defers the scan to VALIDATE.
      const col = info.columns[0];
      if (!info.notValid && col && !ctx.column(rel, col)?.notNull) Object.assign(a, { column: col, scan: true, scanReason: 'checks every row for NULLs while holding the lock' });
      if (!info.notValid && col) markNotNull(rel, col, ctx);
      break;
    }
  }
  return [a];
}

/** PostgreSQL's default constraint names (ChooseConstraintName, simplified to the first column). */
export function constraintName(rel: RelationRef, info: ConstraintInfo): string {
  if (info.name) return info.name;
  const table = rel.key.split('.').pop() ?? rel.key;
  const suffix: Record<ConstraintInfo['type'], string> = { check: 'check', 'foreign-key': 'fkey', unique: 'key', 'primary-key': 'pkey', exclusion: 'excl', 'not-null': 'not_null' };
  if (info.type === 'primary-key') return `${table}_pkey`;
  return [table, ...(info.type === 'unique' ? info.columns : info.columns.slice(0, 1)), suffix[info.type]].join('_');
}

/** Names and CHECK expressions the context keeps; unique, primary and exclusion constraints also name their index. */
export function rememberConstraint(rel: RelationRef, info: ConstraintInfo, c: AnyNode, ctx: AnalysisContext): void {
  const name = constraintName(rel, info);
  if (info.type === 'check') ctx.addCheck(rel, name, { expr: c.raw_expr, valid: !info.notValid });
  else ctx.addConstraintName(rel, name);
  if (['unique', 'primary-key', 'exclusion'].includes(info.type)) {
    const schemaname = rel.key.includes('.') ? rel.key.split('.')[0] : undefined;
    const index = relationFromRangeVar({ schemaname, relname: name }, 'index');
    // USING INDEX gives the index the constraint's name: later statements name it so.
    if (info.usingIndex && info.usingIndex !== name) ctx.renameRelation(relationFromRangeVar({ schemaname, relname: info.usingIndex }, 'index'), index);
    ctx.indexCreated(index, rel);
  }
}

function markNotNull(rel: RelationRef, column: string, ctx: AnalysisContext): void {
  const facts = ctx.column(rel, column);
  if (facts) ctx.setColumn(rel, column, { ...facts, notNull: true });
}

/** Dropping a foreign key removes its triggers from the referenced table: ACCESS EXCLUSIVE there too. */
export function referencedTableLocks(fks: ForeignKey[], ctx: AnalysisContext): OtherLock[] | undefined {
  const locks = fks.map((fk) => ({ relation: fk.references, lock: 'AccessExclusiveLock' as const, isNew: ctx.isNew(fk.references) }));
  return locks.length ? locks : undefined;
}

/**
 * The partition is checked row by row against its bound unless its validated CHECK constraints
 * imply it; a DEFAULT partition of the parent is locked ACCESS EXCLUSIVE and checked too (none
 * of its rows may belong to the new bound).
 */
function attachPartition(pc: AnyNode, parent: RelationRef, ctx: AnalysisContext): Action[] {
  const partition = relationFromRangeVar(pc?.name);
  const bound = pc?.bound;
  const otherLocks: OtherLock[] = [{ relation: partition, lock: 'AccessExclusiveLock', isNew: ctx.isNew(partition) }];
  const defaultPartition = bound?.is_default ? undefined : ctx.defaultPartitionOf(parent);
  if (defaultPartition) otherLocks.push({ relation: defaultPartition, lock: 'AccessExclusiveLock', isNew: ctx.isNew(defaultPartition), scan: true });
  const main = newAction('attach-partition', parent, ctx.pgVersion >= 12 ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock', ctx, {
    otherLocks,
    note: `attaches ${partition.name}${defaultPartition ? `; checks that no row of the default partition ${defaultPartition.name} belongs to it` : ''}`,
  });
  const check = newAction('attach-partition', partition, 'AccessExclusiveLock', ctx, { scan: true, scanReason: 'checks every row of the partition against the bound' });
  const implied = checksImplyBound(bound, ctx.partitionKeyOf(parent), ctx.checksOf(partition), (column) => ctx.column(partition, column)?.notNull);
  if (!defaultPartition && !bound?.is_default && !ctx.exists(parent)) {
    main.cannotProve = `whether ${parent.name} has a DEFAULT partition (it would be locked and scanned too): it is not created earlier in the run nor in lint.schemaFile`;
  }
  if (bound?.is_default) check.cannotProve = `whether rows of ${partition.name} must be checked against the bounds of ${parent.name}'s other partitions (dbops does not track them)`;
  else if (implied === 'implied') Object.assign(check, { scan: false, scanReason: undefined, note: 'a validated CHECK constraint already implies the bound: no row is read' });
  else if (!ctx.exists(partition)) check.cannotProve = `the CHECK constraints of ${partition.name} (a validated one implying the bound skips the scan): it is not created earlier in the run nor in lint.schemaFile`;
  else if (implied === 'cannot-tell') check.cannotProve = `whether the CHECK constraints of ${partition.name} imply the bound (dbops matches only k = / IN / ANY / range comparisons on a one-column NOT NULL key)`;
  if (bound?.is_default) ctx.setDefaultPartition(parent, partition);
  ctx.addChild(parent, partition);
  return [main, check];
}

/**
 * ALTER INDEX parent ATTACH PARTITION child: both indexes are locked ACCESS EXCLUSIVE (queries
 * planned on their tables wait, briefly); the tables are only read. Nothing is built or scanned.
 */
function attachIndexPartition(pc: AnyNode, parent: RelationRef, ctx: AnalysisContext): Action[] {
  const child = relationFromRangeVar(pc?.name, 'index');
  const otherLocks: OtherLock[] = [{ relation: child, lock: 'AccessExclusiveLock', isNew: ctx.isNew(child) }];
  for (const index of [parent, child]) {
    const table = ctx.tableOfIndex(index);
    if (table) otherLocks.push({ relation: table, lock: 'AccessShareLock', isNew: ctx.isNew(table) });
  }
  return [newAction('attach-partition', parent, 'AccessExclusiveLock', ctx, { alsoLocks: ['ShareUpdateExclusiveLock'], otherLocks, note: `attaches index ${child.name}` })];
}

function detachPartition(pc: AnyNode, parent: RelationRef, ctx: AnalysisContext): Action[] {
  const partition = relationFromRangeVar(pc?.name);
  const concurrent = pc?.concurrent === true;
  const lock: LockMode = concurrent ? 'ShareUpdateExclusiveLock' : 'AccessExclusiveLock';
  ctx.removeChild(parent, partition);
  // The partition keeps the parent's foreign keys as its own: each gets triggers on the table it references.
  const referenced = ctx.foreignKeysOf(parent).map((fk): OtherLock => ({ relation: fk.references, lock: 'ShareRowExclusiveLock', isNew: ctx.isNew(fk.references) }));
  return [newAction('detach-partition', parent, lock, ctx, { concurrent, otherLocks: [{ relation: partition, lock, isNew: ctx.isNew(partition) }, ...referenced] })];
}
