import type { Client } from 'pg';
import { TRACKING_SCHEMA } from './tracking';

/**
 * The target database's tables, indexes and CHECK constraints as SQL, for the effects model
 * (`existingSchema`): with the real column types known, a type change that does not rewrite is
 * recognised as such, and every table that exists counts as existing (not new and empty).
 */
const LIVE_SCHEMA_SQL = `
WITH rels AS (
  SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS qname
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'm')
     AND n.nspname NOT IN ('pg_catalog', 'information_schema', $1) AND n.nspname NOT LIKE 'pg\\_%'
)
SELECT format('CREATE TABLE %s (%s);', r.qname,
              string_agg(format('%I %s%s', a.attname, format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END), ', ' ORDER BY a.attnum)) AS ddl
  FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
 GROUP BY r.qname
UNION ALL
SELECT pg_get_indexdef(i.indexrelid) || ';' FROM pg_index i JOIN rels r ON r.oid = i.indrelid
UNION ALL
SELECT format('ALTER TABLE %s ADD CONSTRAINT %I %s;', r.qname, k.conname, pg_get_constraintdef(k.oid))
  FROM pg_constraint k JOIN rels r ON r.oid = k.conrelid WHERE k.contype = 'c'`;

export async function readLiveSchema(client: Client): Promise<string> {
  const { rows } = await client.query<{ ddl: string }>(LIVE_SCHEMA_SQL, [TRACKING_SCHEMA]);
  return rows.map((r) => r.ddl).join('\n');
}
