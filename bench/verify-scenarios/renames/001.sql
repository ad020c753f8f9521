CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));
CREATE TABLE parent2 (id int PRIMARY KEY);
CREATE TABLE child2 (id int PRIMARY KEY, parent_id int REFERENCES parent2 (id));
CREATE TABLE t3 (id int PRIMARY KEY, x int);
CREATE INDEX i3 ON t3 (x);
