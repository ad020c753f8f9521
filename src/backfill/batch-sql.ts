import { quoteIdent } from '../db/quote';
import type { CheckedFragment, Cursor, TargetTable } from './types';

/**
 * Every statement a batch sends. Identifiers come from the catalog and are quoted; cursor values
 * and the batch size are bind parameters; key types come from format_type(). The only operator
 * text is --set/--where as change.ts re-emitted it from parser tokens (a CheckedFragment), and
 * batch-shape.ts proves by parsing the result that it stayed in its slot.
 *
 * A batch is keyset-paged: the next n keys after the cursor, read from the key's unique index,
 * so its cost does not depend on how far into the table it is.
 */
export interface BatchStatement {
  text: string;
  values: unknown[];
}

/** Result columns every batch statement returns: scanned keys, updated rows, the batch's first and last key. */
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
  const after = cursor
    ? `\n    WHERE ${row(table.key.map((k) => quoteIdent(k.name)))} > ${row(table.key.map((k, i) => `$${i + 1}::${k.type}`))}`
    : '';
  return `batch AS MATERIALIZED (
    SELECT ${cols}
      FROM ${table.quoted}${after}
     ORDER BY ${keyList(table)}
     LIMIT $${limitParam}
  ),
  first_key AS (SELECT * FROM batch ORDER BY ${table.key.map((_, i) => alias(i)).join(', ')} LIMIT 1),
  last_key AS (SELECT * FROM batch ORDER BY ${table.key.map((_, i) => `${alias(i)} DESC`).join(', ')} LIMIT 1)`;
}

function boundsSelect(table: TargetTable): string {
  const firsts = table.key.map((_, i) => `first_key.${alias(i)}::text AS ${quoteIdent(`first_${i + 1}`)}`);
  const lasts = table.key.map((_, i) => `last_key.${alias(i)}::text AS ${quoteIdent(`last_${i + 1}`)}`);
  return [...firsts, ...lasts].join(', ');
}

/**
 * The --set batch: select the batch keys, update those rows, and return how many were scanned
 * and updated plus the first and last key (the last becomes the new cursor). The update is bounded
 * by the batch's first and last key so its index scan is a short range whatever the plan. With a
 * one-column key that range is exactly the batch (one snapshot, unique key), so no join is needed
 * (measured ~15 % cheaper per row); a composite key also joins on every key column (UPDATE … FROM
 * batch), since a range on the first column alone can reach past the batch.
 */
export function setBatch(table: TargetTable, set: CheckedFragment, where: CheckedFragment | undefined, cursor: Cursor, limit: number): BatchStatement {
  const limitParam = (cursor?.length ?? 0) + 1;
  const target = quoteIdent(table.name);
  const first = quoteIdent(table.key[0].name);
  const composite = table.key.length > 1;
  const conditions = [
    ...(composite ? table.key.map((k, i) => `${target}.${quoteIdent(k.name)} = batch.${alias(i)}`) : []),
    `${target}.${first} >= (SELECT ${alias(0)} FROM first_key)`,
    `${target}.${first} <= (SELECT ${alias(0)} FROM last_key)`,
    ...(where === undefined ? [] : [`(\n${where}\n)`]),
  ];
  const text = `WITH ${batchCte(table, cursor, limitParam)},
  updated AS (
    UPDATE ${table.quoted} SET
${set}${composite ? '\n      FROM batch' : ''}
     WHERE ${conditions.join('\n       AND ')}
    RETURNING 1
  )
SELECT (SELECT count(*) FROM batch)::int AS scanned, (SELECT count(*) FROM updated)::int AS updated, ${boundsSelect(table)}
  FROM (SELECT 1) AS one LEFT JOIN first_key ON true LEFT JOIN last_key ON true`;
  return { text, values: [...(cursor ?? []), limit] };
}

/** The --sql batch, step 1: the bounds of the next batch (the user's UPDATE then runs with them). */
export function boundsBatch(table: TargetTable, cursor: Cursor, limit: number): BatchStatement {
  const limitParam = (cursor?.length ?? 0) + 1;
  const text = `WITH ${batchCte(table, cursor, limitParam)}
SELECT (SELECT count(*) FROM batch)::int AS scanned, NULL::int AS updated, ${boundsSelect(table)}
  FROM (SELECT 1) AS one LEFT JOIN first_key ON true LEFT JOIN last_key ON true`;
  return { text, values: [...(cursor ?? []), limit] };
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
