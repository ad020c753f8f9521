CREATE TABLE parent (id int PRIMARY KEY);
CREATE TABLE child (id int PRIMARY KEY, parent_id int REFERENCES parent (id));
ALTER TABLE child RENAME COLUMN parent_id TO p;
ALTER TABLE child DROP COLUMN p;
ALTER TABLE parent RENAME COLUMN id TO pid;
