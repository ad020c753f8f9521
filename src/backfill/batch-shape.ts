import { UsageError } from '../core/errors';
import { parseSqlFile } from '../sql/parser';
import { setBatch } from './batch-sql';
import type { CheckedFragment, TargetTable } from './types';
import { dbopsCommand } from '../core/dbops-command';

/**
 * The proof that --set and --where stayed inside their slots: parse the whole batch UPDATE built
 * from them and compare it with the fragments parsed alone. It must be one UPDATE with no FROM,
 * RETURNING or WITH, assign exactly the --set list, and its WHERE must be the key range ANDed with
 * exactly the --where expression — one term, not an OR around the range. Needs loadParser().
 */
export function assertBatchShape(table: TargetTable, set: CheckedFragment, where: CheckedFragment | undefined): void {
  const targets = shape((parseSqlFile(`UPDATE t SET\n${set}\n`).statements[0].node as { UpdateStmt: UpdateNode }).UpdateStmt.targetList);
  const condition = where === undefined ? undefined : shape(onlyTarget(parseSqlFile(`SELECT (\n${where}\n)`).statements[0].node));
  const conditions = 2 + (where === undefined ? 0 : 1);
  const parsed = parseSqlFile(setBatch(table, set, where));
  const update = parsed.errors.length === 0 && parsed.statements.length === 1 ? (parsed.statements[0].node as { UpdateStmt?: UpdateNode }).UpdateStmt : undefined;
  const and = (update?.whereClause as { BoolExpr?: { boolop?: string; args?: unknown[] } } | undefined)?.BoolExpr;
  const fits =
    update !== undefined &&
    update.fromClause === undefined &&
    update.returningList === undefined &&
    update.withClause === undefined &&
    shape(update.targetList) === targets &&
    and?.boolop === 'AND_EXPR' &&
    and.args?.length === conditions &&
    (condition === undefined || shape(and.args[conditions - 1]) === condition);
  if (!fits) {
    throw new UsageError('--set/--where change the shape of the batch statement', `write --set as a SET list and --where as one boolean expression; see ${dbopsCommand('backfill run --dry-run')}`);
  }
}

interface UpdateNode {
  targetList?: unknown[];
  whereClause?: unknown;
  fromClause?: unknown[];
  returningList?: unknown[];
  withClause?: unknown;
}

function onlyTarget(node: unknown): unknown {
  return (node as { SelectStmt: { targetList: Array<{ ResTarget: { val: unknown } }> } }).SelectStmt.targetList[0].ResTarget.val;
}

/** A tree as text without parser positions: equal shapes give equal strings. */
export function shape(node: unknown): string {
  return JSON.stringify(node, (key, value) => (key === 'location' ? undefined : value)) ?? '';
}
