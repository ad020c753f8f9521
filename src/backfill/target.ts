import type { Client } from 'pg';
import { DbopsError, UsageError } from '../core/errors';
import { quoteIdent } from '../db/quote';
import type { KeyColumn, TargetTable } from './types';

/** Key types whose text form round-trips exactly and sorts the way the index does. */
const SUPPORTED_KEY_TYPES = new Set(['int2', 'int4', 'int8', 'numeric', 'uuid', 'text', 'varchar', 'bpchar', 'timestamp', 'timestamptz', 'date']);

interface IndexColumn extends KeyColumn {
  notNull: boolean;
  /** Base type name (domains resolved), e.g. int8, uuid, timestamptz. */
  baseType: string;
}

interface UniqueIndex {
  name: string;
  primary: boolean;
  columns: IndexColumn[];
}

/**
 * Resolves --table through the catalog (so quoting rules are the server's: `"MixedCase"`,
 * `schema.table`) and picks the key batches walk: the primary key, or the unique, non-null,
 * indexed column(s) named with --key.
 */
export async function resolveTarget(client: Client, tableArg: string, keyArg?: string[]): Promise<TargetTable> {
  const table = await findTable(client, tableArg);
  const indexes = await uniqueIndexes(client, table.oid);
  const chosen = keyArg && keyArg.length > 0 ? indexForKey(table.display, indexes, keyArg, await columnsOf(client, table.oid)) : primaryKey(table.display, indexes);
  for (const col of chosen.columns) {
    if (!SUPPORTED_KEY_TYPES.has(col.baseType)) {
      throw new UsageError(
        `key column ${col.name} of ${table.display} has type ${col.type}, which dbops backfill cannot walk`,
        'use --key with an integer, numeric, uuid, text, date or timestamp column that has a unique index',
      );
    }
  }
  return {
    schema: table.schema,
    name: table.name,
    quoted: quoteIdent(table.schema, table.name),
    display: table.display,
    key: chosen.columns.map(({ name, type }) => ({ name, type })),
    keyIndex: chosen.name,
    keyHasMax: chosen.columns.length === 1 && chosen.columns[0].baseType !== 'uuid',
  };
}

async function findTable(client: Client, tableArg: string): Promise<{ oid: number; schema: string; name: string; display: string }> {
  let rows: Array<{ oid: number; schema: string; name: string; relkind: string }>;
  try {
    ({ rows } = await client.query(
      `SELECT c.oid::int AS oid, n.nspname AS schema, c.relname AS name, c.relkind::text AS relkind
         FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
        WHERE c.oid = to_regclass($1)`,
      [tableArg],
    ));
  } catch (err) {
    throw new UsageError(`"${tableArg}" is not a valid table name: ${(err as Error).message}`, 'pass --table name or --table schema.name');
  }
  if (rows.length === 0) {
    throw new UsageError(`table "${tableArg}" does not exist`, 'check the name and the database in --url (names are case-folded unless double-quoted)');
  }
  const t = rows[0];
  if (t.relkind !== 'r' && t.relkind !== 'p') {
    throw new UsageError(`"${tableArg}" is not a table`, 'backfill a table, not a view, sequence or index');
  }
  return { oid: t.oid, schema: t.schema, name: t.name, display: `${t.schema}.${t.name}` };
}

async function uniqueIndexes(client: Client, tableOid: number): Promise<UniqueIndex[]> {
  const { rows } = await client.query(
    `SELECT ic.relname AS name, i.indisprimary AS primary,
            json_agg(json_build_object(
              'name', a.attname, 'type', format_type(a.atttypid, a.atttypmod), 'notNull', a.attnotnull,
              'baseType', CASE WHEN ty.typtype = 'd' THEN bt.typname ELSE ty.typname END) ORDER BY s.pos) AS columns
       FROM pg_index i
       JOIN pg_class ic ON ic.oid = i.indexrelid
       JOIN pg_am am ON am.oid = ic.relam AND am.amname = 'btree'
       CROSS JOIN LATERAL generate_series(0, i.indnkeyatts - 1) AS s(pos)
       JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[s.pos]
       JOIN pg_type ty ON ty.oid = a.atttypid
       LEFT JOIN pg_type bt ON bt.oid = ty.typbasetype
      WHERE i.indrelid = $1 AND i.indisunique AND i.indisvalid AND i.indisready
        AND i.indpred IS NULL AND i.indexprs IS NULL
      GROUP BY ic.relname, i.indisprimary
      ORDER BY i.indisprimary DESC, ic.relname`,
    [tableOid],
  );
  return rows as UniqueIndex[];
}

async function columnsOf(client: Client, tableOid: number): Promise<Map<string, { notNull: boolean }>> {
  const { rows } = await client.query(
    'SELECT attname AS name, attnotnull AS "notNull" FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped',
    [tableOid],
  );
  return new Map(rows.map((r: { name: string; notNull: boolean }) => [r.name, { notNull: r.notNull }]));
}

function primaryKey(table: string, indexes: UniqueIndex[]): UniqueIndex {
  const pk = indexes.find((i) => i.primary);
  if (pk) return pk;
  const candidates = indexes.filter((i) => i.columns.every((c) => c.notNull)).map((i) => i.columns.map((c) => c.name).join(','));
  throw new DbopsError(`${table} has no primary key, so dbops backfill has no key to walk`, {
    exitCode: 2,
    hint: candidates.length
      ? `pass --key with a unique, non-null indexed column: ${candidates.map((c) => `--key ${c}`).join(' or ')}`
      : 'add a primary key, or a unique index on NOT NULL column(s) and pass it with --key',
  });
}

function indexForKey(table: string, indexes: UniqueIndex[], key: string[], columns: Map<string, { notNull: boolean }>): UniqueIndex {
  for (const name of key) {
    const col = columns.get(name);
    if (!col) throw new UsageError(`--key column "${name}" does not exist in ${table}`, 'name an existing column (case-sensitive)');
    if (!col.notNull) {
      throw new UsageError(`--key column "${name}" of ${table} allows NULLs, so rows with NULL keys would be skipped`, 'use a NOT NULL column, or set NOT NULL on it first');
    }
  }
  const wanted = [...key].sort().join(',');
  const match = indexes.find((i) => i.columns.map((c) => c.name).sort().join(',') === wanted);
  if (!match) {
    throw new UsageError(
      `--key ${key.join(',')} has no unique index on ${table}, so batches could not walk it in order without scanning`,
      'create a unique index on exactly those column(s) (CREATE UNIQUE INDEX CONCURRENTLY) or use the primary key',
    );
  }
  return match;
}
