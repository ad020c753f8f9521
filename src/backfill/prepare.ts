import * as fs from 'node:fs';
import type { Client } from 'pg';
import { UsageError } from '../core/errors';
import { batchBounds, boundsBatch, estimateStatement, setBatch, type BatchRow } from './batch-sql';
import { checkSetChange, checkSqlChange, specChecksum } from './change';
import { resolveTarget } from './target';
import type { BackfillSpec, CheckedFragment, Cursor } from './types';

export interface SpecInput {
  table: string;
  key?: string[];
  set?: string;
  where?: string;
  sqlFile?: string;
  name?: string;
}

/**
 * Turns the flags into a checked spec: the table and key from the catalog, the change parsed
 * by the real parser, then planned (not run) on the server so an unknown column or a type error
 * is reported before any state is written.
 */
export async function prepareSpec(client: Client, input: SpecInput): Promise<BackfillSpec> {
  if ((input.set === undefined) === (input.sqlFile === undefined)) {
    throw new UsageError('give either --set or --sql', 'e.g. --set "total = price * qty" or --sql fill-total.sql');
  }
  if (input.sqlFile !== undefined && input.where !== undefined) {
    throw new UsageError('--where goes inside the --sql file', 'add the condition to the UPDATE in the file');
  }
  const table = await resolveTarget(client, input.table, input.key);
  const checked = input.set !== undefined ? await checkSetChange(input.set, input.where, table) : await checkSqlChange(input.sqlFile!, readSqlFile(input.sqlFile!), table);
  const spec: BackfillSpec = { name: input.name ?? table.display, table, change: checked.change, checksum: specChecksum(table, checked.tree) };
  // eslint-disable-next-line no-control-regex
  if (!/^[^\x00-\x1f]{1,63}$/.test(spec.name)) {
    throw new UsageError(`invalid backfill name "${spec.name}"`, 'use 1 to 63 printable characters');
  }
  await planOnServer(client, spec);
  return spec;
}

function readSqlFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read --sql file ${file}`, 'check the path');
  }
}

/** EXPLAIN (never run) one batch, so semantic errors in --set/--where/--sql surface as a usage error. */
async function planOnServer(client: Client, spec: BackfillSpec): Promise<void> {
  const change = spec.change;
  try {
    await client.query({ text: `EXPLAIN ${changeStatement(spec)}`, values: new Array(2 * spec.table.key.length).fill(null) });
  } catch (err) {
    const e = err as { message: string; code?: string };
    if (e.code && /^(42|22|0A)/.test(e.code)) {
      const what = change.kind === 'set' ? (change.where === undefined ? `--set "${change.set}"` : `--set "${change.set}" --where "${change.where}"`) : change.file;
      throw new UsageError(`${what} does not work on ${spec.table.display}: ${e.message}`, 'fix the expression; nothing was written');
    }
    throw err;
  }
}

/**
 * Row estimates without a scan: the table's live rows from the last VACUUM/ANALYZE (the planner's
 * figure when it was never analysed), and the planner's estimate of the rows --where selects.
 */
export async function estimateRows(client: Client, spec: BackfillSpec): Promise<{ total: number; matching: number | null }> {
  const planRows = async (where?: CheckedFragment) => {
    const { rows } = await client.query(estimateStatement(spec.table, where));
    return Math.round(rows[0]['QUERY PLAN'][0].Plan['Plan Rows'] as number);
  };
  const { rows } = await client.query('SELECT reltuples::float8 AS n FROM pg_class WHERE oid = to_regclass($1)', [spec.table.quoted]);
  const total = rows[0]?.n >= 0 ? Math.round(rows[0].n) : await planRows();
  const where = spec.change.kind === 'set' ? spec.change.where : undefined;
  return { total, matching: where === undefined ? null : await planRows(where) };
}

/** The first batches' key bounds from the cursor on, read-only (for --dry-run). */
export async function previewBatches(client: Client, spec: BackfillSpec, cursor: Cursor, size: number, count: number): Promise<Array<{ first: string[]; last: string[]; rows: number }>> {
  const out: Array<{ first: string[]; last: string[]; rows: number }> = [];
  let at = cursor;
  for (let i = 0; i < count; i++) {
    const { rows } = await client.query<BatchRow>(boundsBatch(spec.table, at, size));
    const bounds = batchBounds(spec.table, rows[0]);
    if (!bounds) break;
    out.push({ ...bounds, rows: rows[0].scanned });
    at = bounds.last;
  }
  return out;
}

/** The UPDATE a batch runs between its first key ($1..) and last key (the following parameters). */
export function changeStatement(spec: BackfillSpec): string {
  const change = spec.change;
  return change.kind === 'set' ? setBatch(spec.table, change.set, change.where) : change.sql;
}

/** The statements one batch sends, with placeholders, for --dry-run and the docs. */
export function batchSqlText(spec: BackfillSpec, cursor: Cursor): string {
  return `${boundsBatch(spec.table, cursor ?? spec.table.key.map(() => ''), 0).text};\n-- then, with $1.. = first key and the following = last key of the batch:\n${changeStatement(spec)}`;
}
