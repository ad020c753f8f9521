-- The safe recipe for requiring a column on a big table (PostgreSQL 12+):
-- 1. a CHECK constraint added NOT VALID (brief lock, no scan),
-- 2. VALIDATE it (scans, but lets reads and writes through),
-- 3. SET NOT NULL, which uses the validated constraint instead of scanning,
-- 4. drop the now redundant constraint.
SET lock_timeout = '2s';

ALTER TABLE customers ADD CONSTRAINT customers_phone_not_null CHECK (phone IS NOT NULL) NOT VALID;

ALTER TABLE customers VALIDATE CONSTRAINT customers_phone_not_null;

ALTER TABLE customers ALTER COLUMN phone SET NOT NULL;

ALTER TABLE customers DROP CONSTRAINT customers_phone_not_null;
