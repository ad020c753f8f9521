import { loadParser, parseSqlFile } from '../../src/sql/parser';

beforeAll(async () => {
  await loadParser();
});

describe('parseSqlFile', () => {
  it('gives each statement its text and the line/column of its first token', () => {
    const sql = '-- add a column\nALTER TABLE t ADD COLUMN c int;\n\n/* index */\nCREATE INDEX CONCURRENTLY i ON t (c);\n';
    const file = parseSqlFile(sql);
    expect(file.errors).toEqual([]);
    expect(file.statements.map((s) => [s.text, s.start.line, s.start.column])).toEqual([
      ['ALTER TABLE t ADD COLUMN c int', 2, 1],
      ['CREATE INDEX CONCURRENTLY i ON t (c)', 5, 1],
    ]);
    expect(file.statements[1].leadingTrivia).toContain('/* index */');
  });

  it('converts UTF-8 byte offsets so non-ASCII text does not shift statements', () => {
    const sql = "COMMENT ON TABLE t IS 'café ☕ 🎉';\n  ALTER TABLE t ALTER COLUMN id TYPE bigint USING id::bigint;";
    const file = parseSqlFile(sql);
    expect(file.statements[0].text).toBe("COMMENT ON TABLE t IS 'café ☕ 🎉'");
    expect(file.statements[1].text).toBe('ALTER TABLE t ALTER COLUMN id TYPE bigint USING id::bigint');
    expect(file.statements[1].start).toEqual({ offset: sql.indexOf('ALTER'), line: 2, column: 3 });
  });

  it('keeps parsing after a statement that does not parse and points at the error', () => {
    const sql = "SELECT 'é';\nALTER TABLE t ADD COLUMN;\nCREATE TABLE u (id int);";
    const file = parseSqlFile(sql);
    expect(file.statements.map((s) => s.text)).toEqual(["SELECT 'é'", 'CREATE TABLE u (id int)']);
    expect(file.errors).toHaveLength(1);
    expect(file.errors[0].message).toMatch(/syntax error at or near ";"/);
    expect(file.errors[0].position).toMatchObject({ line: 2, column: 25 });
  });

  it('gives the same statements, positions, byte offsets and errors across many statements parsed in runs', () => {
    // 150 statements span several of the parser calls that take runs of statements; non-ASCII text
    // in some shifts byte offsets, and one statement in the middle of a run does not parse.
    const lines = Array.from({ length: 150 }, (_, i) => (i === 70 ? 'SELEC 1;' : `COMMENT ON TABLE t${i} IS '${i % 3 === 0 ? 'ünïcödé ☕' : 'plain'}';`));
    const sql = lines.join('\n');
    const file = parseSqlFile(sql);
    expect(file.errors).toEqual([{ kind: 'syntax', message: 'syntax error at or near "SELEC"', position: expect.objectContaining({ line: 71, column: 1 }) }]);
    expect(file.statements).toHaveLength(149);
    for (const st of file.statements) {
      const line = st.start.line;
      expect(st.text).toBe(lines[line - 1].slice(0, -1));
      expect(st.start.column).toBe(1);
      expect(Buffer.from(sql, 'utf8').subarray(st.byteStart).toString('utf8').startsWith(st.text)).toBe(true);
      const comment = st.node as { CommentStmt?: { comment?: string } };
      expect(comment.CommentStmt?.comment).toBe(line % 3 === 1 ? 'ünïcödé ☕' : 'plain');
    }
    expect(file.statements[1].leadingTrivia).toBe('\n');
  });

  it('does not split inside dollar quotes, strings or comments', () => {
    const sql = "DO $$ BEGIN PERFORM 1; PERFORM 2; END $$;\nSELECT ';' /* ; */;\nSELEC oops;";
    const file = parseSqlFile(sql);
    expect(file.statements.map((s) => s.text)).toEqual(['DO $$ BEGIN PERFORM 1; PERFORM 2; END $$', "SELECT ';' /* ; */"]);
    expect(file.errors[0].position.line).toBe(3);
  });

  it('handles an empty file and a comment-only file', () => {
    expect(parseSqlFile('').statements).toEqual([]);
    expect(parseSqlFile('-- nothing\n').statements).toEqual([]);
  });
});
