import { quoteIdent } from '../db/quote';
import type { CheckedFragment, Cursor, TargetTable } from './types';

/**
 * Every statement a batch sends. Identifiers come from the catalog and are quoted; cursor values
 * and the batch size are bind parameters; key types come from format_type(). The only operator
 * text is --set/--where as change.ts re-emitted it from parser tokens (a CheckedFragment), and
 * batch-shape.ts proves by parsing the result that it stayed in its slot.
 *
 * A batch is keyset-paged: the next n keys after the cursor, read from the key's unique index,
 * so its cost does not depend on how far into the table it is. Each batch is two statements in
 * the batch's transaction: its bounds (boundsBatch), then the change between them (setBatch, or
 * the --sql UPDATE with the same parameters).
 */
export interface BatchStatement {
  text: string;
  values: unknown[];
}

/** Result columns of the bounds statement: scanned keys, the batch's first and last key (updated is always null). */
export interface BatchRow {
  scanned: number;
  updated: number | null;
  [boundColumn: string]: unknown;
}

const alias = (i: number) => quoteIdent(`_dbops_k${i + 1}`);

function keyList(table: TargetTable, prefix = ''): string {
  return table.key.map((k) => prefix + quoteIdent(k.name)).join(', ');
}

function row(items: string[]): string {
  return items.length === 1 ? items[0] : `(${items.join(', ')})`;
}

/** `WITH batch AS (…)`: the next `limit` keys after the cursor ($1..$k), in key order. */
function batchCte(table: TargetTable, cursor: Cursor, limitParam: number): string {
  const cols = table.key.map((k, i) => `${quoteIdent(k.name)} AS ${alias(i)}`).join(', ');
  return `batch AS MATERIALIZED (
    SELECT ${cols}
      FROM ${table.quoted}${afterCursor(table, cursor)}
     ORDER BY ${keyList(table)}
     LIMIT $${limitParam}
  ),
  first_key AS (SELECT * FROM batch ORDER BY ${table.key.map((_, i) => alias(i)).join(', ')} LIMIT 1),
  last_key AS (SELECT * FROM batch ORDER BY ${table.key.map((_, i) => `${alias(i)} DESC`).join(', ')} LIMIT 1)`;
}

function afterCursor(table: TargetTable, cursor: Cursor): string {
  if (!cursor) return '';
  return `\n     WHERE ${row(table.key.map((k) => quoteIdent(k.name)))} > ${row(table.key.map((k, i) => `$${i + 1}::${k.type}`))}`;
}

function boundsSelect(table: TargetTable): string {
  const firsts = table.key.map((_, i) => `first_key.${alias(i)}::text AS ${quoteIdent(`first_${i + 1}`)}`);
  const lasts = table.key.map((_, i) => `last_key.${alias(i)}::text AS ${quoteIdent(`last_${i + 1}`)}`);
  return [...firsts, ...lasts].join(', ');
}

/**
 * Step 1 of every batch: how many keys the next batch holds and its first and last key, read
 * from the key's index (an index-only scan while the pages ahead of the cursor are all-visible).
 * A one-column key whose type has min()/max() gets them as one aggregate over that scan; a
 * composite key (or uuid, which has no max()) materialises the keys and picks the first and last.
 */
export function boundsBatch(table: TargetTable, cursor: Cursor, limit: number): BatchStatement {
  const limitParam = (cursor?.length ?? 0) + 1;
  const values = [...(cursor ?? []), limit];
  if (table.keyHasMax) {
    const key = quoteIdent(table.key[0].name);
    const text = `SELECT count(*)::int AS scanned, NULL::int AS updated, min(${key})::text AS first_1, max(${key})::text AS last_1
  FROM (SELECT ${key}
          FROM ${table.quoted}${afterCursor(table, cursor)}
         ORDER BY ${key}
         LIMIT $${limitParam}) AS batch`;
    return { text, values };
  }
  const text = `WITH ${batchCte(table, cursor, limitParam)}
SELECT (SELECT count(*) FROM batch)::int AS scanned, NULL::int AS updated, ${boundsSelect(table)}
  FROM (SELECT 1) AS one LEFT JOIN first_key ON true LEFT JOIN last_key ON true`;
  return { text, values };
}

/**
 * Step 2 of a --set batch: update the rows whose key lies between the batch's first key ($1..$k)
 * and last key ($k+1..$2k), as step 1 returned them. The key is unique, so that range is the
 * batch (a row comparison for a composite key, which btree walks as one range), plus any row
 * inserted into it since step 1 read the bounds — updated with it, and behind the cursor after. The bounds are
 * plain parameters, so the UPDATE is planned with them (an index range scan) and returns nothing
 * per row: the count of updated rows is its row count. Measured against the single statement it
 * replaced (keys in a materialised CTE, sorted twice for the first and last, the UPDATE in a CTE
 * counting a RETURNING row per row): ~10 % less time per row.
 */
export function setBatch(table: TargetTable, set: CheckedFragment, where: CheckedFragment | undefined): string {
  const k = table.key.length;
  const key = row(table.key.map((c) => quoteIdent(c.name)));
  const bound = (from: number) => row(table.key.map((c, i) => `$${from + i}::${c.type}`));
  const conditions = [`${key} >= ${bound(1)}`, `${key} <= ${bound(k + 1)}`, ...(where === undefined ? [] : [`(\n${where}\n)`])];
  return `UPDATE ${table.quoted} SET
${set}
 WHERE ${conditions.join('\n   AND ')}`;
}

/** First and last key of a batch from its result row (null when the batch was empty). */
export function batchBounds(table: TargetTable, r: BatchRow): { first: string[]; last: string[] } | null {
  if (r.scanned === 0) return null;
  return {
    first: table.key.map((_, i) => r[`first_${i + 1}`] as string),
    last: table.key.map((_, i) => r[`last_${i + 1}`] as string),
  };
}

/** Planner estimate of the rows in the table (and of those matching --where), without a scan. */
export function estimateStatement(table: TargetTable, where?: CheckedFragment): string {
  return `EXPLAIN (FORMAT JSON) SELECT 1 FROM ${table.quoted}${where === undefined ? '' : ` WHERE (\n${where}\n)`}`;
}
