import type { Client } from 'pg';
import { TRACKING_SCHEMA } from './tracking';

/**
 * The target database's schema as SQL, for the effects model (`existingSchema`) and for
 * `migrate plan --verify`, which replays it on a scratch database: its schemas, extensions, enum
 * types and domains (so the columns that use them can be created), tables with their column
 * types and tablespace, indexed columns, and CHECK (col IS NOT NULL) constraints. With the real
 * column types known, a type change that does not rewrite is recognised as such, and every table
 * that exists counts as existing.
 *
 * Catalog rows only. pg_get_indexdef, pg_get_constraintdef of a table's constraint and pg_get_expr
 * open the table (AccessShareLock) on PostgreSQL 15, so one session holding `LOCK TABLE t` would
 * make this read wait — the very situation the runner must name and retry, not die in. What the
 * model needs without deparsing: an index's columns come from indkey plus pg_depend (the columns
 * its expressions and predicate use); an index with an expression or a predicate is written as a
 * partial index on those columns, which a type change builds again just as it does the real one
 * (a plain index keeps its storage); a NOT NULL check is recognised in conbin's node text. A
 * domain's CHECK is deparsed: that opens no table.
 */
const LIVE_SCHEMA_SQL = `
WITH rels AS (
  SELECT c.oid, c.relnamespace, format('%I.%I', n.nspname, c.relname) AS qname,
         (SELECT format(' TABLESPACE %I', t.spcname) FROM pg_tablespace t WHERE t.oid = c.reltablespace) AS spc
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'm')
     AND n.nspname NOT IN ('pg_catalog', 'information_schema', $1) AND n.nspname NOT LIKE 'pg\\_%'
),
user_types AS (
  -- Named as format_type names them in the columns below (schema-qualified only off the search_path).
  SELECT t.oid, t.typtype, t.typnamespace, format_type(t.oid, NULL) AS qname, t.typbasetype, t.typtypmod, t.typnotnull
    FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
   WHERE t.typtype IN ('e', 'd')
     AND n.nspname NOT IN ('pg_catalog', 'information_schema', $1) AND n.nspname NOT LIKE 'pg\\_%'
     AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.classid = 'pg_type'::regclass AND d.objid = t.oid AND d.deptype = 'e')
),
index_columns AS (
  SELECT i.indexrelid, i.indrelid, k.attnum
    FROM pg_index i JOIN rels r ON r.oid = i.indrelid, unnest(i.indkey::int2[]) AS k(attnum)
   WHERE k.attnum > 0
  UNION
  SELECT i.indexrelid, i.indrelid, d.refobjsubid
    FROM pg_index i JOIN rels r ON r.oid = i.indrelid
    JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = i.indexrelid
                    AND d.refclassid = 'pg_class'::regclass AND d.refobjid = i.indrelid AND d.refobjsubid > 0
),
not_null_checks AS (
  SELECT k.conrelid, k.conname, k.convalidated,
         (regexp_match(k.conbin::text, '^\\{NULLTEST :arg \\{VAR :varno 1 :varattno (\\d+) [^{}]*\\} :nulltesttype 1 '))[1]::int2 AS attnum
    FROM pg_constraint k JOIN rels r ON r.oid = k.conrelid
   WHERE k.contype = 'c'
),
ddl AS (
  SELECT 1 AS step, 0::oid AS ord, format('CREATE SCHEMA IF NOT EXISTS %I;', n.nspname) AS ddl
    FROM pg_namespace n
   WHERE n.nspname <> 'public' AND (n.oid IN (SELECT relnamespace FROM rels) OR n.oid IN (SELECT typnamespace FROM user_types))
  UNION ALL
  SELECT 2, e.oid, format('CREATE EXTENSION IF NOT EXISTS %I;', e.extname) FROM pg_extension e WHERE e.extname <> 'plpgsql'
  UNION ALL
  SELECT 3, t.oid, format('CREATE TYPE %s AS ENUM (%s);', t.qname, (SELECT string_agg(quote_literal(e.enumlabel), ', ' ORDER BY e.enumsortorder) FROM pg_enum e WHERE e.enumtypid = t.oid))
    FROM user_types t WHERE t.typtype = 'e'
  UNION ALL
  -- By oid: a domain over another domain was created after it.
  SELECT 4, t.oid, format('CREATE DOMAIN %s AS %s%s%s;', t.qname, format_type(t.typbasetype, t.typtypmod), CASE WHEN t.typnotnull THEN ' NOT NULL' ELSE '' END,
                          coalesce((SELECT string_agg(format(' CONSTRAINT %I %s', k.conname, pg_get_constraintdef(k.oid)), '' ORDER BY k.oid) FROM pg_constraint k WHERE k.contypid = t.oid AND k.contype = 'c'), ''))
    FROM user_types t WHERE t.typtype = 'd'
  UNION ALL
  SELECT 5, 0, format('CREATE TABLE %s (%s)%s;', r.qname,
                string_agg(format('%I %s%s', a.attname, format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END), ', ' ORDER BY a.attnum),
                coalesce(r.spc, ''))
    FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
   GROUP BY r.qname, r.spc
  UNION ALL
  SELECT 6, 0, format('CREATE INDEX %I ON %s (%s)%s;', ic.relname, r.qname, string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum),
                CASE WHEN ix.indexprs IS NOT NULL OR ix.indpred IS NOT NULL THEN ' WHERE ' || string_agg(format('%I IS NOT NULL', a.attname), ' AND ' ORDER BY a.attnum) ELSE '' END)
    FROM index_columns x
    JOIN rels r ON r.oid = x.indrelid
    JOIN pg_class ic ON ic.oid = x.indexrelid
    JOIN pg_index ix ON ix.indexrelid = x.indexrelid
    JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.attnum AND NOT a.attisdropped
   GROUP BY ic.relname, r.qname, ix.indexprs IS NOT NULL OR ix.indpred IS NOT NULL
  UNION ALL
  SELECT 7, 0, format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%I IS NOT NULL)%s;', r.qname, k.conname, a.attname, CASE WHEN k.convalidated THEN '' ELSE ' NOT VALID' END)
    FROM not_null_checks k
    JOIN rels r ON r.oid = k.conrelid
    JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.attnum
)
SELECT ddl FROM ddl ORDER BY step, ord, ddl`;

export async function readLiveSchema(client: Client): Promise<string> {
  const { rows } = await client.query<{ ddl: string }>(LIVE_SCHEMA_SQL, [TRACKING_SCHEMA]);
  return rows.map((r) => r.ddl).join('\n');
}
