-- Naming clean-up requested by the data team.
ALTER TABLE products RENAME COLUMN sku TO stock_keeping_unit;
