-- SHOP-1466: 50 characters was too short. Widening a varchar (or turning it into text) is
-- binary-coercible: no rewrite, no scan, just a brief lock.
SET lock_timeout = '2s';

ALTER TABLE customers ALTER COLUMN nickname TYPE varchar(100);
