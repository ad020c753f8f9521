import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors';
import { atTopLevel, cleanFragment } from '../sql/fragment';
import { loadParser, parseSqlFile, type SyntaxProblem } from '../sql/parser';
import { assertBatchShape, shape } from './batch-shape';
import { restrictsToBatch } from './sql-bounds';
import type { BackfillChange, CheckedFragment, TargetTable } from './types';

/**
 * --set and --where are SQL supplied by the operator. Before anything touches the database each
 * is re-emitted from the real parser's tokens (src/sql/fragment.ts: no comments, no `;`, no `$n`,
 * every bracket closed inside it) and parsed on its own: --set as exactly the SET list of
 * `UPDATE t SET <set>` (no FROM/WHERE/RETURNING smuggled in, no assignment to a key column, which
 * the walk would lose its place on), --where as exactly one expression, `SELECT (<where>)`. Only
 * the re-emitted text goes into the batch statement, and batch-shape.ts then parses that whole
 * statement to prove the fragments landed where they belong.
 */
export async function checkSetChange(set: string, where: string | undefined, table: TargetTable): Promise<{ change: BackfillChange; tree: unknown }> {
  await loadParser();
  const setList = checkedSetList(set, table);
  const condition = where === undefined ? undefined : checkedCondition(where);
  // The checksum's tree is the one earlier versions computed, so their state rows still resume.
  const probe = parseSqlFile(`UPDATE t SET\n${setList.text}\nWHERE (\n${condition?.text ?? 'true'}\n)`);
  const update = (probe.statements[0].node as { UpdateStmt: UpdateNode }).UpdateStmt;
  assertBatchShape(table, setList.text, condition?.text);
  return { change: { kind: 'set', set: setList.text, where: condition?.text }, tree: stripLocations(update) };
}

function fragmentError(flag: string, raw: string, problem: string, hint: string): UsageError {
  return new UsageError(`${flag} ${JSON.stringify(raw)} is not ${flag === '--set' ? 'one SET list' : 'one SQL expression'}: ${problem}`, hint);
}

const SET_HINT = 'write --set as "<column> = <expression>[, …]" with balanced parentheses';
const WHERE_HINT = 'write --where as one boolean expression with balanced parentheses, e.g. --where "total IS NULL"';

/** The parser's message, unless it points past the fragment, into the probe text the operator never wrote. */
function syntaxProblem(error: SyntaxProblem, fragmentEnd: number): string {
  return error.position.offset >= fragmentEnd ? 'it ends unexpectedly' : error.message;
}

function checkedSetList(raw: string, table: TargetTable): { text: CheckedFragment } {
  const clean = cleanFragment(raw);
  if (!clean.ok) throw fragmentError('--set', raw, clean.problem, SET_HINT);
  const head = 'UPDATE t SET\n';
  const parsed = parseSqlFile(`${head}${clean.text}\n`);
  if (parsed.errors.length > 0) throw fragmentError('--set', raw, syntaxProblem(parsed.errors[0], head.length + clean.text.length), SET_HINT);
  const update = (parsed.statements[0]?.node as { UpdateStmt?: UpdateNode } | undefined)?.UpdateStmt;
  if (parsed.statements.length !== 1 || !update) throw fragmentError('--set', raw, 'it is not a SET list', SET_HINT);
  // Anything beside the SET list is refused, whatever the parser calls it (PostgreSQL 18's tree
  // has returningClause where older ones had returningList).
  if (Object.keys(update).some((key) => key !== 'relation' && key !== 'targetList')) {
    throw fragmentError('--set', raw, 'it holds FROM, WHERE, RETURNING or WITH', 'put the condition in --where; leave FROM, RETURNING and WITH out');
  }
  const assigned = (update.targetList ?? []).map((t) => t.ResTarget?.name).filter((n): n is string => !!n);
  const keyHit = assigned.find((n) => table.key.some((k) => k.name === n));
  if (keyHit) {
    throw new UsageError(`--set assigns the key column "${keyHit}", which batches walk`, 'backfill a non-key column, or pick another key with --key');
  }
  return { text: clean.text as CheckedFragment };
}

function checkedCondition(raw: string): { text: CheckedFragment } {
  const clean = cleanFragment(raw);
  if (!clean.ok) throw fragmentError('--where', raw, clean.problem, WHERE_HINT);
  if (atTopLevel(clean.tokens, ',')) throw fragmentError('--where', raw, 'it is a list (a comma outside any parentheses)', WHERE_HINT);
  const head = 'SELECT (\n';
  const parsed = parseSqlFile(`${head}${clean.text}\n)`);
  if (parsed.errors.length > 0) throw fragmentError('--where', raw, syntaxProblem(parsed.errors[0], head.length + clean.text.length), WHERE_HINT);
  const select = (parsed.statements[0]?.node as { SelectStmt?: SelectNode } | undefined)?.SelectStmt;
  const keys = Object.keys(select ?? {}).filter((k) => k !== 'targetList' && k !== 'limitOption' && k !== 'op');
  if (parsed.statements.length !== 1 || !select || select.targetList?.length !== 1 || keys.length > 0) {
    throw fragmentError('--where', raw, 'it is not a single expression', WHERE_HINT);
  }
  return { text: clean.text as CheckedFragment };
}

/**
 * --sql <file>: one UPDATE of the target table, restricted to the batch with bind parameters.
 * For a key of k columns, $1..$k are the first key of the batch and $k+1..$2k its last key,
 * both inclusive, e.g. `UPDATE t SET x = y * 2 WHERE id BETWEEN $1 AND $2` or, for a key (a, b),
 * `WHERE (a, b) BETWEEN ($1, $2) AND ($3, $4)`.
 */
export async function checkSqlChange(file: string, sql: string, table: TargetTable): Promise<{ change: BackfillChange; tree: unknown }> {
  await loadParser();
  const parsed = parseSqlFile(sql);
  if (parsed.errors.length > 0) {
    const e = parsed.errors[0];
    throw new UsageError(`${file}:${e.position.line}:${e.position.column}: ${e.message}`, 'fix the SQL; it must be one UPDATE statement');
  }
  if (parsed.statements.length !== 1) {
    throw new UsageError(`${file} holds ${parsed.statements.length} statements`, 'put exactly one UPDATE in the --sql file');
  }
  const update = (parsed.statements[0].node as { UpdateStmt?: UpdateNode }).UpdateStmt;
  if (!update) throw new UsageError(`${file} is not an UPDATE statement`, 'put exactly one UPDATE of the --table in the --sql file');
  if (update.withClause) throw new UsageError(`${file} starts with WITH`, 'put one plain UPDATE of the --table in the --sql file (a WITH may write to other tables)');
  const rel = update.relation ?? {};
  if (rel.relname !== table.name || (rel.schemaname !== undefined && rel.schemaname !== table.schema)) {
    throw new UsageError(`${file} updates ${rel.schemaname ? `${rel.schemaname}.` : ''}${rel.relname}, not ${table.display}`, 'update the table given with --table');
  }
  const k = table.key.length;
  const used = new Set(paramNumbers(update));
  const expected = Array.from({ length: 2 * k }, (_, i) => i + 1);
  const extra = [...used].filter((n) => n > 2 * k);
  const missing = expected.filter((n) => !used.has(n));
  if (extra.length > 0 || missing.length > 0) {
    const bounds = k === 1 ? '$1 (first key of the batch) and $2 (last key)' : `$1..$${k} (first key of the batch) and $${k + 1}..$${2 * k} (last key)`;
    throw new UsageError(
      `${file} must use exactly the batch bounds ${bounds}${missing.length ? `; missing $${missing.join(', $')}` : ''}${extra.length ? `; unknown $${extra.join(', $')}` : ''}`,
      k === 1 ? `restrict the UPDATE to the batch, e.g. WHERE ${table.key[0].name} BETWEEN $1 AND $2` : 'restrict the UPDATE to the batch, e.g. WHERE (a, b) BETWEEN ($1, $2) AND ($3, $4)',
    );
  }
  if (!restrictsToBatch(update.whereClause, table, rel)) {
    throw new UsageError(
      `${file} does not restrict the UPDATE to the batch: its WHERE must AND the key between the batch bounds at the top level`,
      k === 1 ? `e.g. WHERE ${table.key[0].name} BETWEEN $1 AND $2 AND <your condition>` : 'e.g. WHERE (a, b) BETWEEN ($1, $2) AND ($3, $4) AND <your condition>',
    );
  }
  return { change: { kind: 'sql', file, sql: parsed.statements[0].text }, tree: stripLocations(update) };
}

/** The checksum a state row is tied to: table, key and the parse tree (so whitespace and comments do not count). */
export function specChecksum(table: TargetTable, tree: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify({ table: [table.schema, table.name], key: table.key.map((k) => k.name), tree }))
    .digest('hex');
}

interface UpdateNode {
  relation?: { relname?: string; schemaname?: string; alias?: { aliasname?: string } };
  targetList?: Array<{ ResTarget?: { name?: string } }>;
  whereClause?: unknown;
  withClause?: unknown;
}

interface SelectNode {
  targetList?: unknown[];
  [clause: string]: unknown;
}

function paramNumbers(node: unknown, out: number[] = []): number[] {
  if (Array.isArray(node)) node.forEach((n) => paramNumbers(n, out));
  else if (node && typeof node === 'object') {
    for (const [key, value] of Object.entries(node)) {
      if (key === 'ParamRef') out.push((value as { number?: number }).number ?? 0);
      else paramNumbers(value, out);
    }
  }
  return out;
}

function stripLocations(node: unknown): unknown {
  return JSON.parse(shape(node));
}
