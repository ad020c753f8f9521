-- Index and foreign key on a busy table, the non-blocking way.
-- (CONCURRENTLY cannot run inside a transaction block: keep this file out of one.)
SET lock_timeout = '2s';

CREATE INDEX CONCURRENTLY IF NOT EXISTS orders_coupon_id_idx ON orders (coupon_id);

ALTER TABLE orders
  ADD CONSTRAINT orders_coupon_id_fkey FOREIGN KEY (coupon_id) REFERENCES coupons (id) NOT VALID;

ALTER TABLE orders VALIDATE CONSTRAINT orders_coupon_id_fkey;
