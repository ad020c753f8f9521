-- OPS-88: orders.id is at 1.9 billion and will overflow integer within months.
SET lock_timeout = '5s';

ALTER TABLE orders ALTER COLUMN id TYPE bigint;

-- Power users hit the integer limit on points, too.
ALTER TABLE orders
  ALTER COLUMN loyalty_points TYPE bigint;
