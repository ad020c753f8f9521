import type { TargetTable } from './types';

/**
 * Whether an --sql UPDATE is restricted to the batch: its WHERE must AND, at its top level, the
 * key between the batch bounds — `key BETWEEN $1 AND $2`, or `key >= $1 AND key <= $2` (a row of
 * key columns and of parameters for a composite key). Anything ORed around the bounds (`… OR
 * true`) would update rows outside the batch once per batch.
 */
export function restrictsToBatch(whereClause: unknown, table: TargetTable, relation: { relname?: string; alias?: { aliasname?: string } }): boolean {
  const k = table.key.length;
  const qualifiers = new Set([relation.relname, relation.alias?.aliasname].filter(Boolean));
  const isKey = (node: unknown) => (k === 1 ? columnIs(node, table.key[0].name, qualifiers) : rowOf(node, k, (arg, i) => columnIs(arg, table.key[i].name, qualifiers)));
  const isParams = (node: unknown, from: number) => (k === 1 ? paramIs(node, from) : rowOf(node, k, (arg, i) => paramIs(arg, from + i)));
  let lower = false;
  let upper = false;
  for (const c of conjuncts(whereClause)) {
    const e = (c as { A_Expr?: AExpr }).A_Expr;
    if (!e) continue;
    const op = e.name?.[0]?.String?.sval;
    if (e.kind === 'AEXPR_BETWEEN' && isKey(e.lexpr)) {
      const [lo, hi] = e.rexpr?.List?.items ?? [];
      if (isParams(lo, 1) && isParams(hi, k + 1)) return true;
    }
    if (e.kind !== 'AEXPR_OP') continue;
    if ((op === '>=' && isKey(e.lexpr) && isParams(e.rexpr, 1)) || (op === '<=' && isParams(e.lexpr, 1) && isKey(e.rexpr))) lower = true;
    if ((op === '<=' && isKey(e.lexpr) && isParams(e.rexpr, k + 1)) || (op === '>=' && isParams(e.lexpr, k + 1) && isKey(e.rexpr))) upper = true;
  }
  return lower && upper;
}

interface AExpr {
  kind?: string;
  name?: Array<{ String?: { sval?: string } }>;
  lexpr?: unknown;
  rexpr?: { List?: { items?: unknown[] } } & Record<string, unknown>;
}

/** The top-level ANDed conditions (iterative: a long AND chain is one flat list anyway, but nesting is user-controlled). */
function conjuncts(where: unknown): unknown[] {
  const out: unknown[] = [];
  const todo: unknown[] = where === undefined || where === null ? [] : [where];
  while (todo.length > 0) {
    const node = todo.pop() as { BoolExpr?: { boolop?: string; args?: unknown[] } };
    if (node.BoolExpr?.boolop === 'AND_EXPR') todo.push(...(node.BoolExpr.args ?? []));
    else out.push(node);
  }
  return out;
}

function columnIs(node: unknown, name: string, qualifiers: Set<string | undefined>): boolean {
  const fields = (node as { ColumnRef?: { fields?: Array<{ String?: { sval?: string } }> } }).ColumnRef?.fields;
  if (!fields || fields.length > 2 || fields[fields.length - 1].String?.sval !== name) return false;
  return fields.length === 1 || qualifiers.has(fields[0].String?.sval);
}

function paramIs(node: unknown, n: number): boolean {
  const n1 = node as { ParamRef?: { number?: number }; TypeCast?: { arg?: unknown } };
  if (n1?.TypeCast) return paramIs(n1.TypeCast.arg, n);
  return n1?.ParamRef?.number === n;
}

function rowOf(node: unknown, k: number, each: (arg: unknown, i: number) => boolean): boolean {
  const args = (node as { RowExpr?: { args?: unknown[] } }).RowExpr?.args;
  return !!args && args.length === k && args.every(each);
}
