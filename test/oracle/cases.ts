/**
 * Statements the oracle runs: every rule's bad and good examples, the table in
 * notes/lock-and-rewrite-facts.md, and the column type-change matrix.
 */
export interface OracleCase {
  sql: string;
  /** Tables whose locks/rewrite/scan are compared (default: t). */
  on?: string[];
  /** The model's rewrite verdict on the first compared table, when the case is about it. */
  rewrite?: 'yes' | 'no' | 'unknown';
}

export const ORACLE_CASES: OracleCase[] = [
  // ADD COLUMN (adding-column-rewrite, constraint-without-not-valid, adding-unique-constraint)
  { sql: 'ALTER TABLE t ADD COLUMN c int', rewrite: 'no' },
  { sql: 'ALTER TABLE t ADD COLUMN c int DEFAULT 0', rewrite: 'no' },
  { sql: 'ALTER TABLE t ADD COLUMN c int DEFAULT 0 NOT NULL', rewrite: 'no' },
  { sql: "ALTER TABLE t ADD COLUMN c text DEFAULT 'x' || 'y'", rewrite: 'no' },
  { sql: 'ALTER TABLE t ADD COLUMN c timestamptz DEFAULT now()', rewrite: 'no' },
  { sql: 'ALTER TABLE t ADD COLUMN c timestamptz DEFAULT CURRENT_TIMESTAMP', rewrite: 'no' },
  { sql: 'ALTER TABLE t ADD COLUMN c float8 DEFAULT random()', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ADD COLUMN c uuid DEFAULT gen_random_uuid()', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ADD COLUMN c timestamptz DEFAULT clock_timestamp()', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ADD COLUMN c serial', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ADD COLUMN c bigserial', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS IDENTITY', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ADD COLUMN c int GENERATED ALWAYS AS (d * 2) STORED', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ADD COLUMN c int REFERENCES u (id)', on: ['t', 'u'] },
  { sql: 'ALTER TABLE t ADD COLUMN c int DEFAULT 1 REFERENCES u (id)', on: ['t', 'u'] },
  { sql: 'ALTER TABLE t ADD COLUMN c int CHECK (c > 0)' },
  { sql: 'ALTER TABLE t ADD COLUMN c int UNIQUE' },
  // ALTER COLUMN TYPE (changing-column-type): the type-change matrix
  { sql: 'ALTER TABLE t ALTER COLUMN id TYPE bigint', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ALTER COLUMN id TYPE bigint USING id::bigint', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ALTER COLUMN d TYPE int', rewrite: 'no' },
  { sql: 'ALTER TABLE t ALTER COLUMN d TYPE int USING d + 1', rewrite: 'unknown' },
  { sql: 'ALTER TABLE t ALTER COLUMN d TYPE text', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ALTER COLUMN v TYPE varchar(50)', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ALTER COLUMN v TYPE varchar', rewrite: 'no' },
  { sql: 'ALTER TABLE t ALTER COLUMN vc TYPE varchar(100)', rewrite: 'no' },
  { sql: 'ALTER TABLE t ALTER COLUMN vc TYPE varchar(10)', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ALTER COLUMN vc TYPE varchar', rewrite: 'no' },
  { sql: 'ALTER TABLE t ALTER COLUMN vc TYPE text', rewrite: 'no' },
  { sql: 'ALTER TABLE t ALTER COLUMN vc TYPE text USING vc::text', rewrite: 'no' },
  { sql: 'ALTER TABLE t ALTER COLUMN vc TYPE char(50)', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ALTER COLUMN n TYPE numeric(12,2)', rewrite: 'no' },
  { sql: 'ALTER TABLE t ALTER COLUMN n TYPE numeric', rewrite: 'no' },
  { sql: 'ALTER TABLE t ALTER COLUMN n TYPE numeric(12,3)', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ALTER COLUMN n TYPE numeric(8,2)', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ALTER COLUMN ts TYPE timestamp(6)', rewrite: 'no' },
  { sql: 'ALTER TABLE t ALTER COLUMN ts TYPE timestamp', rewrite: 'no' },
  { sql: 'ALTER TABLE t ALTER COLUMN ts TYPE timestamp(0)', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ALTER COLUMN ts TYPE timestamptz', rewrite: 'unknown' },
  { sql: 'ALTER TABLE t ALTER COLUMN bp TYPE char(10)', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ALTER COLUMN bp TYPE text', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ALTER COLUMN tags TYPE varchar(30)[]', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ALTER COLUMN vb TYPE varbit(16)', rewrite: 'no' },
  { sql: 'ALTER TABLE t ALTER COLUMN ci TYPE inet', rewrite: 'no' },
  { sql: 'ALTER TABLE t ALTER COLUMN u_id TYPE bigint', rewrite: 'yes' },
  { sql: 'ALTER TABLE t ALTER COLUMN u_id TYPE smallint', rewrite: 'yes' },
  // NOT NULL (setting-not-null)
  { sql: 'ALTER TABLE t ALTER COLUMN id SET NOT NULL' },
  { sql: 'ALTER TABLE t ALTER COLUMN v SET NOT NULL' },
  { sql: 'ALTER TABLE t ALTER COLUMN d SET NOT NULL' },
  { sql: 'ALTER TABLE t ALTER COLUMN e SET NOT NULL' },
  { sql: 'ALTER TABLE t ALTER COLUMN v DROP NOT NULL' },
  { sql: 'ALTER TABLE t ALTER COLUMN d SET DEFAULT 1' },
  { sql: 'ALTER TABLE t ALTER COLUMN d DROP DEFAULT' },
  // Constraints (constraint-without-not-valid, adding-unique-constraint)
  { sql: 'ALTER TABLE t ADD CONSTRAINT k CHECK (d > 0)' },
  { sql: 'ALTER TABLE t ADD CONSTRAINT k CHECK (d > 0) NOT VALID' },
  { sql: 'ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (u_id) REFERENCES u (id)', on: ['t', 'u'] },
  { sql: 'ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID', on: ['t', 'u'] },
  { sql: 'ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (u_id) REFERENCES u (id) NOT VALID; ALTER TABLE t VALIDATE CONSTRAINT f', on: ['t', 'u'] },
  { sql: 'ALTER TABLE t VALIDATE CONSTRAINT t_d_nn' },
  { sql: 'ALTER TABLE t ADD CONSTRAINT q UNIQUE (d)' },
  { sql: 'ALTER TABLE t ADD CONSTRAINT q UNIQUE USING INDEX t_v_key' },
  { sql: 'ALTER TABLE t DROP CONSTRAINT t_d_nn' },
  // Renames and drops
  { sql: 'ALTER TABLE t DROP COLUMN v' },
  { sql: 'ALTER TABLE t RENAME COLUMN v TO w' },
  { sql: 'ALTER TABLE t RENAME TO t2' },
  { sql: 'DROP TABLE t' },
  { sql: 'DROP TABLE ul', on: ['ul'] },
  // Storage
  { sql: 'ALTER TABLE t SET UNLOGGED', rewrite: 'yes' },
  { sql: 'ALTER TABLE ul SET LOGGED', on: ['ul'], rewrite: 'yes' },
  { sql: 'ALTER TABLE t SET (fillfactor = 50)' },
  { sql: 'ALTER TABLE t SET (autovacuum_vacuum_scale_factor = 0.01)' },
  { sql: 'ALTER TABLE t ALTER COLUMN d SET STATISTICS 500' },
  { sql: 'ALTER TABLE t ALTER COLUMN v SET STORAGE EXTERNAL' },
  { sql: 'ALTER TABLE t ENABLE ROW LEVEL SECURITY' },
  // Partitions
  { sql: 'ALTER TABLE p ATTACH PARTITION p1 FOR VALUES IN (1)', on: ['p', 'p1'] },
  { sql: 'ALTER TABLE p DETACH PARTITION p0', on: ['p', 'p0'] },
  { sql: 'ALTER TABLE p DETACH PARTITION p0 CONCURRENTLY' },
  { sql: 'CREATE TABLE p2 PARTITION OF p FOR VALUES IN (2)', on: ['p'] },
  // Indexes (creating-/dropping-/reindexing-non-concurrently, concurrently-in-transaction)
  { sql: 'CREATE INDEX i ON t (v)' },
  { sql: 'CREATE UNIQUE INDEX i ON t (id, v)' },
  { sql: 'CREATE INDEX CONCURRENTLY i ON t (v)' },
  { sql: 'DROP INDEX t_d', on: ['t', 't_d'] },
  { sql: 'DROP INDEX CONCURRENTLY t_d' },
  { sql: 'REINDEX INDEX t_d', on: ['t', 't_d'] },
  { sql: 'REINDEX TABLE t' },
  { sql: 'REINDEX INDEX CONCURRENTLY t_d' },
  // Maintenance (vacuum-full, cluster-table, refreshing-materialized-view, truncating-table)
  { sql: 'VACUUM FULL t' },
  { sql: 'VACUUM t' },
  { sql: 'ANALYZE t' },
  { sql: 'CLUSTER t USING t_pkey', rewrite: 'yes' },
  { sql: 'REFRESH MATERIALIZED VIEW mv', rewrite: 'yes' },
  { sql: 'REFRESH MATERIALIZED VIEW CONCURRENTLY mv' },
  { sql: 'TRUNCATE t', rewrite: 'yes' },
  // Explicit locks and data changes (lock-table, unbatched-update-delete)
  { sql: 'LOCK TABLE t' },
  { sql: 'LOCK TABLE t IN SHARE MODE' },
  { sql: 'LOCK TABLE t IN ACCESS SHARE MODE' },
  { sql: 'LOCK TABLE t IN SHARE UPDATE EXCLUSIVE MODE' },
  { sql: 'UPDATE t SET d = 1', on: ['t'] },
  { sql: 'UPDATE t SET d = 1 WHERE id = 1', on: ['t'] },
  { sql: 'DELETE FROM t' },
  { sql: 'INSERT INTO t (id, d, e) VALUES (0, 0, 0)' },
  // New tables, triggers, enums (forbid-new-tables, lock-timeout on referenced tables)
  { sql: 'CREATE TABLE x (id int REFERENCES u (id))', on: ['u'] },
  { sql: 'CREATE TABLE x (id int PRIMARY KEY)', on: ['t', 'u'] },
  { sql: 'CREATE TRIGGER tr BEFORE UPDATE ON t FOR EACH ROW EXECUTE FUNCTION suppress_redundant_updates_trigger()' },
  { sql: "ALTER TYPE mood ADD VALUE 'great'", on: ['t'] },
  // DDL hidden in DO blocks
  { sql: 'DO $$ BEGIN ALTER TABLE t ALTER COLUMN id TYPE bigint; END $$', rewrite: 'yes' },
  { sql: "DO $$ BEGIN EXECUTE 'ALTER TABLE t ALTER COLUMN d SET NOT NULL'; END $$" },
  { sql: 'DO $$ BEGIN CREATE INDEX CONCURRENTLY i ON t (v); END $$' },
];
