/**
 * ATTACH PARTITION scans the partition to check its rows against the bound, unless the table's
 * validated CHECK constraints (and NOT NULL columns) already imply the partition constraint
 * (PartConstraintImpliedByRelConstraint). This recognises the forms people write for that: for a
 * LIST bound `k = v`, `k IN (…)`, `k = ANY (ARRAY[…])` over a subset of the bound's values; for a
 * RANGE bound `k >= lo` / `k > x` and `k < hi` / `k <= x` or `k BETWEEN a AND b` inside it, with
 * numbers compared as numbers and other constants only when equal; the key column must be NOT
 * NULL (or checked IS NOT NULL). A single-column key only.
 */
import type { CheckConstraint, PartitionKey } from './context';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyNode = any;

export type Implication = 'implied' | 'not-implied' | 'cannot-tell';

/** A constant as text plus whether it is a number; undefined when it is not a plain constant. */
interface Constant {
  text: string;
  number?: number;
}

function constantOf(node: AnyNode): Constant | undefined {
  if (node?.TypeCast) return constantOf(node.TypeCast.arg);
  const c = node?.A_Const;
  if (!c || c.isnull) return undefined;
  if (c.ival) return { text: String(c.ival.ival ?? 0), number: c.ival.ival ?? 0 };
  if (c.fval) return { text: String(c.fval.fval), number: Number(c.fval.fval) };
  if (c.sval) {
    const text = String(c.sval.sval ?? '');
    return /^-?\d+(\.\d+)?$/.test(text) ? { text, number: Number(text) } : { text };
  }
  return undefined;
}

function columnOf(node: AnyNode): string | undefined {
  const fields: AnyNode[] = node?.ColumnRef?.fields ?? [];
  return fields.length === 1 ? fields[0].String?.sval : undefined;
}

function conjuncts(expr: AnyNode): AnyNode[] {
  const b = expr?.BoolExpr;
  if (b?.boolop === 'AND_EXPR') return (b.args as AnyNode[]).flatMap(conjuncts);
  return [expr];
}

/** -1, 0, 1, or undefined when the two constants cannot be ordered. */
function compare(a: Constant, b: Constant): number | undefined {
  if (a.number !== undefined && b.number !== undefined) return Math.sign(a.number - b.number);
  return a.text === b.text ? 0 : undefined;
}

interface Limits {
  /** An explicit `key IS NOT NULL`. */
  notNull?: boolean;
  /** Values the column is confined to (LIST). */
  values?: Constant[];
  lower?: { value: Constant; inclusive: boolean };
  upper?: { value: Constant; inclusive: boolean };
}

const FLIPPED: Record<string, string> = { '<': '>', '<=': '>=', '>': '<', '>=': '<=', '=': '=' };

/** What one conjunct says about `column`, merged into `limits`. */
function learn(limits: Limits, expr: AnyNode, column: string): void {
  const e = expr?.A_Expr;
  const op = String(e?.name?.[e.name.length - 1]?.String?.sval ?? '');
  if (expr?.NullTest?.nulltesttype === 'IS_NOT_NULL' && columnOf(expr.NullTest.arg) === column) {
    limits.notNull = true;
    return;
  }
  if (!e) return;
  if (e.kind === 'AEXPR_IN' && op === '=' && columnOf(e.lexpr) === column) {
    const values = ((e.rexpr?.List?.items ?? []) as AnyNode[]).map(constantOf);
    if (values.every((v): v is Constant => v !== undefined)) limits.values = values;
    return;
  }
  if (e.kind === 'AEXPR_OP_ANY' && op === '=' && columnOf(e.lexpr) === column) {
    const values = ((e.rexpr?.A_ArrayExpr?.elements ?? []) as AnyNode[]).map(constantOf);
    if (values.length && values.every((v): v is Constant => v !== undefined)) limits.values = values;
    return;
  }
  if (e.kind === 'AEXPR_BETWEEN' && columnOf(e.lexpr) === column) {
    const [lo, hi] = ((e.rexpr?.List?.items ?? []) as AnyNode[]).map(constantOf);
    if (lo) limits.lower = { value: lo, inclusive: true };
    if (hi) limits.upper = { value: hi, inclusive: true };
    return;
  }
  if (e.kind !== 'AEXPR_OP') return;
  let cmp = op;
  let value = constantOf(e.rexpr);
  if (columnOf(e.lexpr) !== column || !value) {
    if (columnOf(e.rexpr) !== column) return;
    value = constantOf(e.lexpr);
    cmp = FLIPPED[op] ?? '';
  }
  if (!value) return;
  if (cmp === '=') limits.values = [value];
  else if (cmp === '>=' || cmp === '>') limits.lower = { value, inclusive: cmp === '>=' };
  else if (cmp === '<=' || cmp === '<') limits.upper = { value, inclusive: cmp === '<=' };
}

/**
 * Whether the validated checks imply the bound. 'not-implied': no check says anything about the
 * key; 'cannot-tell': checks exist that this module cannot relate to the bound.
 */
export function checksImplyBound(bound: AnyNode, key: PartitionKey | undefined, checks: CheckConstraint[], isNotNull: (column: string) => boolean | undefined): Implication {
  const valid = checks.filter((c) => c.valid);
  if (valid.length === 0) return 'not-implied';
  if (!key || key.columns.length !== 1 || key.strategy === 'hash' || bound?.is_default) return 'cannot-tell';
  const column = key.columns[0];
  const limits: Limits = {};
  for (const check of valid) for (const c of conjuncts(check.expr)) learn(limits, c, column);
  // PostgreSQL 15 does not derive the bound's "key IS NOT NULL" from a comparison: it needs the
  // column NOT NULL or an explicit IS NOT NULL in a check.
  const notNull = isNotNull(column);
  if (!limits.notNull && notNull === false) return 'not-implied';
  if (!limits.notNull && notNull === undefined) return 'cannot-tell';
  if (key.strategy === 'list') {
    const allowed = ((bound?.listdatums ?? []) as AnyNode[]).map(constantOf);
    if (!limits.values || allowed.some((v) => v === undefined)) return 'cannot-tell';
    return limits.values.every((v) => allowed.some((a) => a && compare(a, v) === 0)) ? 'implied' : 'cannot-tell';
  }
  const lo = rangeDatum(bound?.lowerdatums);
  const hi = rangeDatum(bound?.upperdatums);
  if (lo === null || hi === null) return 'cannot-tell';
  const lowerOk = lo === 'unbounded' || (limits.lower !== undefined && (compare(limits.lower.value, lo) ?? -1) >= 0);
  const upperOk =
    hi === 'unbounded' ||
    (limits.upper !== undefined && ((c) => c !== undefined && (c < 0 || (c === 0 && !limits.upper!.inclusive)))(compare(limits.upper.value, hi)));
  // Without an upper or lower limit on an unbounded side, NOT NULL must come from a strict comparison on the other.
  if (lo === 'unbounded' && hi === 'unbounded') return 'cannot-tell';
  return lowerOk && upperOk ? 'implied' : 'cannot-tell';
}

/** The single datum of a RANGE bound side: a constant, 'unbounded' (MINVALUE/MAXVALUE), or null. */
function rangeDatum(datums: AnyNode[] | undefined): Constant | 'unbounded' | null {
  if (!datums || datums.length !== 1) return null;
  const col = columnOf(datums[0]);
  if (col === 'minvalue' || col === 'maxvalue') return 'unbounded';
  return constantOf(datums[0]) ?? null;
}
