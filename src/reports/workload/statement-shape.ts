/**
 * What one pg_stat_statements entry does to tables, read from the real parser's tree: which
 * tables it writes and reads, whether it could run on a replica, and — for a statement on one
 * table — which columns it pins by equality (the shape that shards by that column).
 */
import { walkTree } from '../../sql/tree';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyNode = any;

export type StatementKind = 'select' | 'insert' | 'update' | 'delete' | 'merge' | 'other';

export interface StatementShape {
  /** The top statement; 'other' is a utility statement (SET, BEGIN, DDL…), which the report leaves out. */
  kind: StatementKind;
  /** Tables written (INSERT/UPDATE/DELETE/MERGE targets, writable CTEs), as the text names them. */
  writes: string[];
  /** Tables read and not written, as the text names them (CTE names are not tables). */
  reads: string[];
  /** Why it cannot run on a replica, functions aside (checked against the server's catalog later). */
  notReadOnly: string | null;
  /** Functions called, by name (lower case, without schema). */
  functions: string[];
  /**
   * For a statement on one table: the columns its WHERE pins by equality (`col = $1`, `IN (…)`,
   * `= ANY($1)`) or an INSERT's column list; ['*'] for an INSERT without one (every column).
   * Empty when the statement touches several tables or pins none (see keyProblem).
   */
  keyColumns: string[];
  /** Why a one-table statement gives no key: no WHERE, no equality, a set operation, MERGE, INSERT … SELECT. */
  keyProblem: string | null;
}

const WRITE_STATEMENTS = ['InsertStmt', 'UpdateStmt', 'DeleteStmt', 'MergeStmt'];
const KIND: Record<string, StatementKind> = { SelectStmt: 'select', InsertStmt: 'insert', UpdateStmt: 'update', DeleteStmt: 'delete', MergeStmt: 'merge' };

export function statementShape(node: AnyNode): StatementShape {
  const top = Object.keys(node ?? {})[0] ?? '';
  const kind = KIND[top] ?? 'other';
  const shape: StatementShape = { kind, writes: [], reads: [], notReadOnly: null, functions: [], keyColumns: [], keyProblem: null };
  if (kind === 'other') return shape;

  const ctes = new Set<string>();
  const targets = new Set<unknown>();
  const writes = new Set<string>();
  const reads = new Set<string>();
  const functions = new Set<string>();
  let references = 0;
  let locks = false;
  let into = false;
  walkTree(node, (key, value) => {
    if (Array.isArray(value)) {
      if (key === 'lockingClause' && value.length > 0) locks = true;
      return;
    }
    if (WRITE_STATEMENTS.includes(key) && value.relation) {
      references++;
      targets.add(value.relation);
      writes.add(relationName(value.relation));
    } else if (key === 'CommonTableExpr' && value.ctename) ctes.add(value.ctename);
    else if (key === 'intoClause') {
      // The table SELECT INTO creates is no table it reads.
      into = true;
      return 'skip';
    }
    else if (key === 'FuncCall') {
      const names: AnyNode[] = value.funcname ?? [];
      const name = names[names.length - 1]?.String?.sval;
      if (name) functions.add(String(name).toLowerCase());
    } else if (typeof value.relname === 'string' && !targets.has(value)) {
      references++;
      reads.add(relationName(value));
    }
  });
  // A bare name a WITH clause defines is the CTE, not a table; the walk meets references before definitions.
  for (const name of [...reads]) if (ctes.has(name)) reads.delete(name);
  for (const name of writes) reads.delete(name);
  shape.writes = [...writes];
  shape.reads = [...reads];
  shape.functions = [...functions];
  if (writes.size > 0) shape.notReadOnly = kind === 'select' ? 'writes in a WITH clause' : `${kind.toUpperCase()} writes`;
  else if (locks) shape.notReadOnly = 'locks rows (FOR UPDATE/SHARE)';
  else if (into) shape.notReadOnly = 'SELECT INTO creates a table';
  if (writes.size + reads.size === 1) {
    // With a WITH clause the walk counted CTE references too; keyOf refuses those statements anyway.
    const selfReference = ctes.size === 0 && references > 1;
    Object.assign(shape, selfReference ? { keyColumns: [], keyProblem: 'it reads the table more than once (a self-join or a subquery)' } : keyOf(kind, node[top]));
  }
  return shape;
}

export function relationName(rv: AnyNode): string {
  return [rv.catalogname, rv.schemaname, rv.relname].filter(Boolean).join('.');
}

function keyOf(kind: StatementKind, stmt: AnyNode): Pick<StatementShape, 'keyColumns' | 'keyProblem'> {
  switch (kind) {
    case 'insert': {
      if (stmt.withClause) return { keyColumns: [], keyProblem: 'it goes through a WITH clause' };
      if (stmt.selectStmt?.SelectStmt?.fromClause) return { keyColumns: [], keyProblem: 'INSERT … SELECT copies rows by a query' };
      const cols = (stmt.cols ?? []).map((c: AnyNode) => c.ResTarget?.name).filter(Boolean);
      return { keyColumns: cols.length > 0 ? cols : ['*'], keyProblem: null };
    }
    case 'merge':
      return { keyColumns: [], keyProblem: 'MERGE matches rows by a join condition' };
    default: {
      if (stmt.withClause) return { keyColumns: [], keyProblem: 'it goes through a WITH clause' };
      if (kind === 'select' && stmt.op && stmt.op !== 'SETOP_NONE') return { keyColumns: [], keyProblem: 'a set operation (UNION/INTERSECT/EXCEPT)' };
      if (!stmt.whereClause) return { keyColumns: [], keyProblem: 'no WHERE clause: it touches every row' };
      const cols = [...new Set(conjuncts(stmt.whereClause).map(equalityColumn).filter((c): c is string => c !== null))];
      return cols.length > 0 ? { keyColumns: cols, keyProblem: null } : { keyColumns: [], keyProblem: 'its WHERE pins no column by equality (a range or another condition)' };
    }
  }
}

/** The AND-ed parts of a condition (an OR spreads over several keys: it is one part, pinning none). */
function conjuncts(where: AnyNode): AnyNode[] {
  const parts: AnyNode[] = [];
  const stack = [where];
  while (stack.length > 0) {
    const e = stack.pop();
    if (e?.BoolExpr?.boolop === 'AND_EXPR') stack.push(...[...e.BoolExpr.args].reverse());
    else parts.push(e);
  }
  return parts;
}

/** `col = constant`, `col IN (constants)`, `col = ANY(constant)`: the column; anything else: null. */
function equalityColumn(expr: AnyNode): string | null {
  const e = expr?.A_Expr;
  if (!e || e.name?.[0]?.String?.sval !== '=') return null;
  if (e.kind === 'AEXPR_OP') {
    if (columnName(e.lexpr) && isValue(e.rexpr)) return columnName(e.lexpr);
    if (columnName(e.rexpr) && isValue(e.lexpr)) return columnName(e.rexpr);
    return null;
  }
  if (e.kind === 'AEXPR_IN') return columnName(e.lexpr) && (e.rexpr?.List?.items ?? []).every(isValue) ? columnName(e.lexpr) : null;
  if (e.kind === 'AEXPR_OP_ANY') return columnName(e.lexpr) && isValue(e.rexpr) ? columnName(e.lexpr) : null;
  return null;
}

function columnName(node: AnyNode): string | null {
  const fields: AnyNode[] = node?.ColumnRef?.fields ?? [];
  const last = fields[fields.length - 1]?.String?.sval;
  return typeof last === 'string' ? last : null;
}

/** A parameter or a constant (possibly cast): pg_stat_statements shows constants as $n. */
function isValue(node: AnyNode): boolean {
  if (node?.TypeCast) return isValue(node.TypeCast.arg);
  return Boolean(node?.ParamRef || node?.A_Const);
}
