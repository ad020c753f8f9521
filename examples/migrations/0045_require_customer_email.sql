-- Every customer has had an e-mail address since the 2023 sign-up change.
SET lock_timeout = '2s';

ALTER TABLE customers ALTER COLUMN email SET NOT NULL;

ALTER TABLE orders
  ADD CONSTRAINT orders_customer_id_fkey
  FOREIGN KEY (customer_id) REFERENCES customers (id);
