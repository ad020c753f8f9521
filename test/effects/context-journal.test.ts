import { analyzeFile, createContext } from '../../src/effects/analyze-files';
import { ContextJournal, DirtyKeys, type FileJournal } from '../../src/effects/context-journal';
import { loadParser } from '../../src/sql/parser';

/** The journal the parallel lint decides with (src/lint/parallel.ts): what a file read and wrote, and replaying what it changed. */

beforeAll(() => loadParser());

/** Analyses the files in order on one journaled context; one journal per file. */
function journals(files: string[]): FileJournal[] {
  const ctx = createContext({ pgVersion: 15 });
  const journal = new ContextJournal(ctx);
  return files.map((text, i) => {
    analyzeFile({ path: `${i + 1}.sql`, text }, ctx);
    return journal.take();
  });
}

const CREATE = 'CREATE TABLE widgets (id bigint PRIMARY KEY, name text);';

describe('ContextJournal and DirtyKeys', () => {
  it('a file reads what an earlier file about the same table wrote, and nothing a file about another table wrote', () => {
    const [create, alter, other] = journals([CREATE, 'ALTER TABLE widgets ALTER COLUMN name SET NOT NULL;', 'ALTER TABLE orders ALTER COLUMN note SET NOT NULL;']);
    const dirty = new DirtyKeys();
    dirty.add(create.writes);
    expect(dirty.touches(alter.reads)).toBe(true);
    expect(dirty.touches(other.reads)).toBe(false);
  });

  it('keys are as fine as the facts: another column or constraint of the same table stays clean', () => {
    const [first, sameColumn, otherColumn, otherCheck] = journals([
      "ALTER TABLE orders ADD COLUMN a int;\nALTER TABLE orders ADD CONSTRAINT orders_a_check CHECK (a IS NOT NULL) NOT VALID;",
      'ALTER TABLE orders ALTER COLUMN a SET NOT NULL;',
      'ALTER TABLE orders ALTER COLUMN b SET NOT NULL;',
      'ALTER TABLE orders VALIDATE CONSTRAINT orders_b_check;',
    ]);
    const dirty = new DirtyKeys();
    dirty.add(first.writes);
    expect(dirty.touches(sameColumn.reads)).toBe(true);
    expect(dirty.touches(otherColumn.reads)).toBe(false);
    expect(dirty.touches(otherCheck.reads)).toBe(false);
  });

  it('dropping a table touches everything known about it, and a scan of all foreign keys sees a new one', () => {
    const [fk, drop, setNotNull, truncate] = journals([
      'ALTER TABLE orders ADD CONSTRAINT orders_c_fkey FOREIGN KEY (c) REFERENCES customers (id);',
      'DROP TABLE orders;',
      'ALTER TABLE orders ALTER COLUMN c SET NOT NULL;',
      'TRUNCATE customers CASCADE;',
    ]);
    const afterDrop = new DirtyKeys();
    afterDrop.add(drop.writes);
    expect(afterDrop.touches(setNotNull.reads)).toBe(true);
    const afterFk = new DirtyKeys();
    afterFk.add(fk.writes);
    // TRUNCATE … CASCADE also empties the tables whose foreign keys reference it.
    expect(afterFk.touches(truncate.reads)).toBe(true);
    expect(afterFk.touches(setNotNull.reads)).toBe(false);
  });

  it('after treatAllAsExisting the new tables of earlier files no longer make a file dirty', () => {
    const [create, index] = journals([CREATE, 'CREATE INDEX widgets_name_idx ON widgets (name);']);
    const newOnly = create.writes.filter((k) => k.startsWith('new\u001f'));
    const dirty = new DirtyKeys();
    dirty.add(newOnly);
    expect(dirty.touches(index.reads)).toBe(true);
    dirty.clearNewTables();
    expect(dirty.touches(index.reads)).toBe(false);
  });

  it('replaying a file’s calls leaves a context that analyses the next file exactly as analysing it did', () => {
    const history = [
      CREATE,
      "ALTER TABLE widgets ADD COLUMN price numeric(10,2);\nCREATE INDEX widgets_price_idx ON widgets (price);\nALTER TABLE widgets ADD CONSTRAINT widgets_price_nn CHECK (price IS NOT NULL) NOT VALID;\nALTER TABLE widgets VALIDATE CONSTRAINT widgets_price_nn;",
      'CREATE TABLE parts (id int, k int) PARTITION BY LIST (k);\nCREATE TABLE parts_default PARTITION OF parts DEFAULT;\nALTER TABLE widgets RENAME COLUMN name TO title;',
    ];
    const probe = "SET lock_timeout = '2s';\nALTER TABLE widgets ALTER COLUMN price SET NOT NULL;\nALTER TABLE widgets ALTER COLUMN price TYPE numeric(12,2);\nALTER TABLE widgets ALTER COLUMN title TYPE varchar(10);\nCREATE TABLE parts_1 PARTITION OF parts FOR VALUES IN (1);";

    const analysed = createContext({ pgVersion: 15 });
    const recorded = new ContextJournal(analysed);
    const calls = history.map((text, i) => {
      analyzeFile({ path: `${i + 1}.sql`, text }, analysed);
      return recorded.take().calls;
    });
    const replayed = createContext({ pgVersion: 15 });
    const replaying = new ContextJournal(replayed);
    for (const fileCalls of calls) {
      replayed.startFile();
      replaying.replay(structuredClone(fileCalls));
    }
    const effects = (ctx: typeof analysed) => analyzeFile({ path: 'probe.sql', text: probe }, ctx).statements.map((s) => s.analyzed.effects);
    expect(calls.flat().length).toBeGreaterThan(5);
    expect(effects(replayed)).toEqual(effects(analysed));
  });
});
