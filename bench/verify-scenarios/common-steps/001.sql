CREATE TYPE mood AS ENUM ('sad', 'ok');
CREATE TABLE t (id int PRIMARY KEY, m mood, v text, n int);
CREATE TABLE u (id int PRIMARY KEY, t_id int REFERENCES t (id));
CREATE SEQUENCE s1;
CREATE VIEW tv AS SELECT id, v FROM t;
