import type { Client } from 'pg';
import { TRACKING_SCHEMA } from './tracking';

/**
 * The target database's tables (with their tablespace, when not the default), indexed columns and CHECK (col IS NOT NULL) constraints as SQL,
 * for the effects model (`existingSchema`): with the real column types known, a type change that
 * does not rewrite is recognised as such, and every table that exists counts as existing.
 *
 * Catalog rows only. pg_get_indexdef, pg_get_constraintdef and pg_get_expr open the table
 * (AccessShareLock) on PostgreSQL 15, so one session holding `LOCK TABLE t` would make this read
 * wait — the very situation the runner must name and retry, not die in. What the model needs
 * without deparsing: an index's columns come from indkey plus pg_depend (the columns its
 * expressions and predicate use), and a NOT NULL check is recognised in conbin's node text.
 */
const LIVE_SCHEMA_SQL = `
WITH rels AS (
  SELECT c.oid, format('%I.%I', n.nspname, c.relname) AS qname,
         (SELECT format(' TABLESPACE %I', t.spcname) FROM pg_tablespace t WHERE t.oid = c.reltablespace) AS spc
    FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
   WHERE c.relkind IN ('r', 'p', 'm')
     AND n.nspname NOT IN ('pg_catalog', 'information_schema', $1) AND n.nspname NOT LIKE 'pg\\_%'
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
)
SELECT format('CREATE TABLE %s (%s)%s;', r.qname,
              string_agg(format('%I %s%s', a.attname, format_type(a.atttypid, a.atttypmod), CASE WHEN a.attnotnull THEN ' NOT NULL' ELSE '' END), ', ' ORDER BY a.attnum),
              coalesce(r.spc, '')) AS ddl
  FROM rels r JOIN pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
 GROUP BY r.qname, r.spc
UNION ALL
SELECT format('CREATE INDEX %I ON %s (%s);', ic.relname, r.qname, string_agg(format('%I', a.attname), ', ' ORDER BY a.attnum))
  FROM index_columns x
  JOIN rels r ON r.oid = x.indrelid
  JOIN pg_class ic ON ic.oid = x.indexrelid
  JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = x.attnum AND NOT a.attisdropped
 GROUP BY ic.relname, r.qname
UNION ALL
SELECT format('ALTER TABLE %s ADD CONSTRAINT %I CHECK (%I IS NOT NULL)%s;', r.qname, k.conname, a.attname, CASE WHEN k.convalidated THEN '' ELSE ' NOT VALID' END)
  FROM not_null_checks k
  JOIN rels r ON r.oid = k.conrelid
  JOIN pg_attribute a ON a.attrelid = k.conrelid AND a.attnum = k.attnum`;

export async function readLiveSchema(client: Client): Promise<string> {
  const { rows } = await client.query<{ ddl: string }>(LIVE_SCHEMA_SQL, [TRACKING_SCHEMA]);
  return rows.map((r) => r.ddl).join('\n');
}
