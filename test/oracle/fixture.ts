/**
 * The tables the oracle runs statements against. The same SQL primes the effects model as the
 * "existing schema", so predictions know the column types the server has.
 */
export const FIXTURE_SCHEMA = `
CREATE TYPE mood AS ENUM ('ok');
CREATE SEQUENCE t_c_seq;
CREATE TABLE u (id int PRIMARY KEY);
CREATE TABLE t (
  id int PRIMARY KEY,
  v text,
  d int,
  e int CONSTRAINT t_e_nn CHECK (e IS NOT NULL),
  vc varchar(50),
  n numeric(10,2),
  ts timestamp(3),
  bp char(5),
  u_id int,
  tags varchar(20)[],
  vb varbit(8),
  ci cidr,
  m mood
);
CREATE INDEX t_d ON t (d);
CREATE UNIQUE INDEX t_v_key ON t (v);
ALTER TABLE t ADD CONSTRAINT t_d_nn CHECK (d IS NOT NULL) NOT VALID;
CREATE UNLOGGED TABLE ul (id int PRIMARY KEY, v text);
CREATE MATERIALIZED VIEW mv AS SELECT id FROM u;
CREATE UNIQUE INDEX mv_id ON mv (id);
CREATE TABLE p (id int, k int) PARTITION BY LIST (k);
CREATE TABLE p0 PARTITION OF p FOR VALUES IN (0);
CREATE TABLE p1 (id int, k int);
CREATE VIEW uv AS SELECT id FROM u;
CREATE TABLE uc (id int, u_id int CONSTRAINT uc_u_fk REFERENCES u (id));
`;

export const FIXTURE_DATA = `
INSERT INTO u SELECT g FROM generate_series(1, 1000) g;
INSERT INTO t SELECT g, 'v' || g, g, g, 'vc', g, now(), 'ab', g, '{a}', B'101', '10.0.0.0/8', 'ok' FROM generate_series(1, 1000) g;
INSERT INTO ul SELECT g, 'x' FROM generate_series(1, 100) g;
INSERT INTO uc SELECT g, g FROM generate_series(1, 100) g;
INSERT INTO p0 VALUES (1, 0);
INSERT INTO p1 VALUES (1, 1);
REFRESH MATERIALIZED VIEW mv;
ANALYZE;
`;
