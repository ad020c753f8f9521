import type { Client } from 'pg';
import { quoteIdent } from '../db/quote';
import type { ConcurrentIndexBuild } from './statements';

/**
 * A failed or cancelled CREATE INDEX CONCURRENTLY (or REINDEX CONCURRENTLY) leaves an INVALID
 * index behind: never used by queries, still maintained on every write, and — for CREATE INDEX
 * … IF NOT EXISTS — silently taken as "already there". These queries find such leftovers.
 */
export interface IndexRef {
  oid: number;
  schema: string;
  name: string;
  valid: boolean;
}

export function indexLabel(ix: IndexRef): string {
  return `${ix.schema}.${ix.name}`;
}

/**
 * INVALID indexes a build could have left: on its table (CREATE INDEX, REINDEX TABLE) or next to
 * its index (REINDEX INDEX), by name when the build names one, and `_ccnew` copies for REINDEX.
 * An index another session is building right now is INVALID too until it finishes: those are
 * never returned, so dbops cannot drop someone else's build in progress.
 */
export async function invalidIndexesOf(client: Client, build: ConcurrentIndexBuild, serverVersionNum: number): Promise<IndexRef[]> {
  const table = build.table ? qualified(build.table.schema, build.table.name) : null;
  const besideIndex = build.kind === 'reindex' && build.index ? qualified(build.schema, build.index) : null;
  const exactName = build.kind === 'create' ? (build.index ?? null) : null;
  const namePattern = build.kind === 'reindex' ? `${build.index ? escapeRegex(build.index) : '.*'}_ccnew[0-9]*$` : null;
  const building =
    serverVersionNum >= 120000 ? 'AND c.oid NOT IN (SELECT index_relid FROM pg_stat_progress_create_index WHERE pid <> pg_backend_pid() AND index_relid <> 0)' : '';
  const { rows } = await client.query(
    `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT i.indisvalid
        AND i.indrelid = coalesce(to_regclass($1), (SELECT indrelid FROM pg_index WHERE indexrelid = to_regclass($2)))
        AND ($3::text IS NULL OR c.relname = $3)
        AND ($4::text IS NULL OR c.relname ~ ('^' || $4))
        ${building}`,
    [table, besideIndex, exactName, namePattern],
  );
  return rows.map((r) => ({ oid: Number(r.oid), schema: r.schema, name: r.name, valid: false }));
}

/** The index by name (resolved on the search_path when no schema is given), if it exists. */
export async function findIndex(client: Client, schema: string | undefined, name: string): Promise<IndexRef | undefined> {
  const { rows } = await client.query(
    `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name, i.indisvalid AS valid
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.oid = to_regclass($1)`,
    [qualified(schema, name)],
  );
  const r = rows[0];
  return r ? { oid: Number(r.oid), schema: r.schema, name: r.name, valid: r.valid } : undefined;
}

export function dropIndexConcurrentlySql(ix: IndexRef): string {
  return `DROP INDEX CONCURRENTLY IF EXISTS ${quoteIdent(ix.schema, ix.name)}`;
}

function qualified(schema: string | undefined, name: string): string {
  return schema ? quoteIdent(schema, name) : quoteIdent(name);
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
