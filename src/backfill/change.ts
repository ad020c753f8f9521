import { createHash } from 'node:crypto';
import { UsageError } from '../core/errors';
import { loadParser, parseSqlFile } from '../sql/parser';
import type { BackfillChange, TargetTable } from './types';

/**
 * --set and --where are SQL expressions supplied by the operator and are placed into the batch
 * statement as written. Before anything touches the database they must parse, with the real
 * PostgreSQL parser, as exactly `UPDATE t SET <set> WHERE (<where>)`: one statement, nothing
 * after it, no FROM/RETURNING smuggled in, and no assignment to a key column (the walk would
 * lose its place).
 */
export async function checkSetChange(set: string, where: string | undefined, table: TargetTable): Promise<{ change: BackfillChange; tree: unknown }> {
  await loadParser();
  if (set.trim() === '') throw new UsageError('--set is empty', 'pass --set "<column> = <expression>"');
  if (where !== undefined && where.trim() === '') throw new UsageError('--where is empty', 'leave --where out to update every row');
  const head = 'UPDATE t SET\n';
  const middle = '\nWHERE (\n';
  const probe = `${head}${set}${middle}${where ?? 'true'}\n)`;
  const parsed = parseSqlFile(probe);
  if (parsed.errors.length > 0 || parsed.statements.length !== 1) {
    // Say which flag is wrong; the parser's position is in the probe statement, not in what the user typed.
    const at = parsed.errors[0]?.position.offset ?? probe.length;
    const whereStart = head.length + set.length + middle.length;
    const inSet = at < whereStart || where === undefined;
    const what = inSet ? `--set "${set}"` : `--where "${where}"`;
    const detail = parsed.errors.length === 0 ? 'it holds more than one statement' : at >= (inSet ? head.length + set.length : whereStart + where!.length) ? 'it ends unexpectedly' : parsed.errors[0].message;
    throw new UsageError(`${what} is not a valid SQL expression: ${detail}`, 'write --set as "<column> = <expression>[, …]" and --where as a boolean expression');
  }
  const update = (parsed.statements[0].node as { UpdateStmt?: UpdateNode }).UpdateStmt;
  if (!update || update.fromClause || update.returningList || update.withClause) {
    throw new UsageError(`--set/--where must be plain expressions, got extra clauses in "${set}"`, 'leave FROM, RETURNING and WITH out of --set and --where');
  }
  const assigned = (update.targetList ?? []).map((t) => t.ResTarget?.name).filter((n): n is string => !!n);
  const keyHit = assigned.find((n) => table.key.some((k) => k.name === n));
  if (keyHit) {
    throw new UsageError(`--set assigns the key column "${keyHit}", which batches walk`, 'backfill a non-key column, or pick another key with --key');
  }
  return { change: { kind: 'set', set, where }, tree: stripLocations(update) };
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
  return { change: { kind: 'sql', file, sql: parsed.statements[0].text }, tree: stripLocations(update) };
}

/** The checksum a state row is tied to: table, key and the parse tree (so whitespace and comments do not count). */
export function specChecksum(table: TargetTable, tree: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify({ table: [table.schema, table.name], key: table.key.map((k) => k.name), tree }))
    .digest('hex');
}

interface UpdateNode {
  relation?: { relname?: string; schemaname?: string };
  targetList?: Array<{ ResTarget?: { name?: string } }>;
  fromClause?: unknown[];
  returningList?: unknown[];
  withClause?: unknown;
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
  if (Array.isArray(node)) return node.map(stripLocations);
  if (node && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).filter(([k]) => k !== 'location').map(([k, v]) => [k, stripLocations(v)]));
  }
  return node;
}
