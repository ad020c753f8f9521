CREATE TABLE a (id int PRIMARY KEY, v int);
CREATE TABLE b (id int PRIMARY KEY, a_id int REFERENCES a (id));
CREATE TABLE c (id int PRIMARY KEY, b_id int REFERENCES b (id));
CREATE MATERIALIZED VIEW mv AS SELECT a.id, count(b.id) FROM a LEFT JOIN b ON b.a_id = a.id GROUP BY a.id;
