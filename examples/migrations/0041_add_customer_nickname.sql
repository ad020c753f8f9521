-- SHOP-1412: the storefront greets customers by nickname; loyalty points move onto orders.
-- Adding a column without a default (or with a constant one) is a catalog-only change.
SET lock_timeout = '2s';

ALTER TABLE customers ADD COLUMN nickname varchar(50);

ALTER TABLE orders ADD COLUMN loyalty_points integer;
