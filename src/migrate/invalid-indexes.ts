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

export async function listInvalidIndexes(client: Client): Promise<IndexRef[]> {
  const { rows } = await client.query(
    `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT i.indisvalid`,
  );
  return rows.map((r) => ({ oid: Number(r.oid), schema: r.schema, name: r.name, valid: false }));
}

/** Indexes an earlier interrupted run of this build may have left INVALID. */
export async function leftoversOf(client: Client, build: ConcurrentIndexBuild): Promise<IndexRef[]> {
  if (build.kind === 'create') {
    if (!build.index) return [];
    const existing = await findIndex(client, build.schema, build.index);
    return existing && !existing.valid ? [existing] : [];
  }
  // REINDEX CONCURRENTLY builds <index>_ccnew[N] next to each index it rebuilds.
  const { rows } = await client.query(
    `SELECT c.oid::int8 AS oid, n.nspname AS schema, c.relname AS name
       FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE NOT i.indisvalid AND c.relname ~ '_ccnew[0-9]*$'
        AND (($1::text IS NOT NULL AND i.indrelid = (SELECT indrelid FROM pg_index WHERE indexrelid = to_regclass($1)))
          OR ($2::text IS NOT NULL AND i.indrelid = to_regclass($2)))`,
    [build.index ? qualified(build.schema, build.index) : null, build.table ? qualified(build.table.schema, build.table.name) : null],
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
