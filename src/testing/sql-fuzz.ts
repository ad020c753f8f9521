/**
 * Hostile SQL files for fuzzing `dbops lint`: random bytes, and structured SQL pushed to the edges
 * (deep nesting, long operator chains, huge identifiers, nested and unterminated comments and
 * quotes, every encoding edge). Shared by the bounded property test (test/fuzz/lint.test.ts) and
 * the long campaigns of bench/fuzz.js, so a crash found by either is replayable by the other.
 *
 * fast-check is a development dependency: the caller passes it in, and only its types are
 * imported here, so the built package never loads it.
 */
import type * as FastCheck from 'fast-check';

type Fc = typeof FastCheck.default;
type Arbitrary<T> = FastCheck.Arbitrary<T>;

/** Statements a migration holds, each a template around a table name. */
const STATEMENTS = [
  'ALTER TABLE t ADD COLUMN c integer',
  'ALTER TABLE t ADD COLUMN c integer NOT NULL DEFAULT 0',
  'ALTER TABLE t ALTER COLUMN c TYPE bigint',
  'ALTER TABLE t ADD CONSTRAINT k FOREIGN KEY (c) REFERENCES u (id)',
  'CREATE INDEX i ON t (c)',
  'CREATE INDEX CONCURRENTLY i ON t (c)',
  'CREATE TABLE t (id bigint PRIMARY KEY, c text)',
  'DROP INDEX i',
  "SET lock_timeout = '2s'",
  'BEGIN',
  'COMMIT',
  'UPDATE t SET c = c + 1 WHERE id IN (SELECT id FROM t LIMIT 10)',
  "DO $$ BEGIN EXECUTE 'ALTER TABLE t ADD COLUMN d int'; END $$",
  'CREATE FUNCTION f() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT 1; END',
  'REINDEX TABLE t',
  'VACUUM t',
  "COMMENT ON TABLE t IS 'x'",
];

/** Byte sequences that are not valid UTF-8, and characters that are awkward in valid UTF-8. */
const ENCODING_EDGES: number[][] = [
  [0xff],
  [0xc0, 0x80], // overlong NUL
  [0xe2, 0x82], // truncated sequence
  [0xed, 0xa0, 0x80], // an encoded surrogate
  [0xf4, 0x90, 0x80, 0x80], // past U+10FFFF
  [0x80],
  [0x00], // NUL
  [0x0d], // lone CR
  [0x0d, 0x0a],
  [0xef, 0xbb, 0xbf], // a byte order mark, also in the middle of a file
  [0xe2, 0x80, 0xa8], // U+2028 LINE SEPARATOR
  [0xf0, 0x9f, 0x98, 0x80], // an astral character (two UTF-16 units)
  [0xc3, 0xa9], // é
];

/** Pieces that open, close or break lexical structure. */
const LEXICAL = ['(', ')', '[', ']', "'", '"', '$$', '$q$', "E'\\'", '--', '/*', '*/', ';', ',', '\n', '\r', ' ', '::', '||', '+', 'CASE', 'END', 'BEGIN ATOMIC', 'U&"\\0061"'];

export function lintFuzzInput(fc: Fc): Arbitrary<Buffer> {
  const utf8 = (text: string) => Buffer.from(text, 'utf8');
  const statement = fc.constantFrom(...STATEMENTS);
  const depth = fc.constantFrom(1, 10, 100, 1000, 3000, 5000, 8000, 20000);
  const length = fc.constantFrom(1, 100, 1000, 4000, 10000, 60000);

  const deepParens = fc.tuple(depth, fc.constantFrom('SELECT ', 'ALTER TABLE t ADD COLUMN c int DEFAULT ', 'CREATE VIEW v AS SELECT ')).map(([d, head]) => `${head}${'('.repeat(d)}1${')'.repeat(d)}`);
  const deepSubqueries = depth.filter((d) => d <= 3000).map((d) => `${'SELECT (' .repeat(d)}1${')'.repeat(d)}`);
  const chain = fc.tuple(length, fc.constantFrom("1+", "'a'||", 'true AND ', 'c = 1 OR ', 'NOT ', '-')).map(([n, op]) => `SELECT ${op.repeat(n)}1`);
  const deepComment = fc.tuple(depth, fc.boolean()).map(([d, closed]) => `${'/*'.repeat(d)}${closed ? '*/'.repeat(d) : ''} SELECT 1`);
  const hugeIdentifier = fc.tuple(length, fc.boolean()).map(([n, quoted]) => {
    const name = quoted ? `"${'x"" '.repeat(n)}"` : 'a'.repeat(n * 10);
    return `ALTER TABLE ${name} ADD COLUMN ${name} integer`;
  });
  const manyStatements = fc.tuple(statement, fc.constantFrom(10, 100, 2000)).map(([s, n]) => Array.from({ length: n }, () => s).join(';\n'));
  const mutated = fc
    .tuple(statement, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...LEXICAL)), { maxLength: 4 }))
    .map(([s, edits]) => edits.reduce((text, [at, piece]) => text.slice(0, at % (text.length + 1)) + piece + text.slice(at % (text.length + 1)), s));
  // The extreme shapes are a fifth of the pieces: each costs up to a second, and a long campaign
  // needs tens of thousands of inputs.
  const sqlText = fc.oneof(
    { arbitrary: statement, weight: 10 },
    { arbitrary: mutated, weight: 10 },
    { arbitrary: fc.string({ maxLength: 40 }), weight: 3 },
    { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 3 },
    deepParens,
    deepSubqueries,
    chain,
    deepComment,
    hugeIdentifier,
    manyStatements,
  );
  const separator = fc.constantFrom(';\n', ';', ';\r', ';\r\n', '\n', ' ', ';\n-- dbops-ignore: creating-index-non-concurrently because\n');
  const structured = fc
    .array(fc.tuple(sqlText, separator), { minLength: 1, maxLength: 5 })
    .map((parts) => utf8(parts.map(([text, sep]) => text + sep).join('')));

  /** Splices raw bytes (invalid UTF-8, NUL, CR, BOM…) into valid SQL at random places. */
  const withEncodingEdges = fc
    .tuple(structured, fc.array(fc.tuple(fc.nat(), fc.constantFrom(...ENCODING_EDGES)), { minLength: 1, maxLength: 4 }), fc.boolean())
    .map(([bytes, edits, bom]) => {
      let out = bytes;
      for (const [at, edge] of edits) {
        const cut = at % (out.length + 1);
        out = Buffer.concat([out.subarray(0, cut), Buffer.from(edge), out.subarray(cut)]);
      }
      return bom ? Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), out]) : out;
    });
  const randomBytes = fc.uint8Array({ maxLength: 200 }).map((a) => Buffer.from(a));

  return fc.oneof({ arbitrary: structured, weight: 6 }, { arbitrary: withEncodingEdges, weight: 3 }, { arbitrary: randomBytes, weight: 1 });
}

/** Line breaks as PostgreSQL and editors count them: \r\n, \n, or a lone \r. */
function lineLengths(text: string): number[] {
  return text.split(/\r\n|\n|\r/).map((line) => line.length);
}

/**
 * What must hold for any input: a lint exit code (0, 1 or 2, never 4), a JSON report that parses,
 * and every finding's position inside the file as decoded (lines and columns 1-based, the end not
 * before the start). Returns what was violated, or undefined.
 */
export function lintJsonViolation(input: Buffer, json: string, exitCode: number): string | undefined {
  if (![0, 1, 2].includes(exitCode)) return `exit code ${exitCode}`;
  let report: { findings: Array<{ line: number; column: number; endLine: number; endColumn: number; ruleId: string }> };
  try {
    report = JSON.parse(json);
  } catch (err) {
    return `JSON output does not parse: ${(err as Error).message}`;
  }
  const decoded = input.toString('utf8');
  const lines = lineLengths(decoded.charCodeAt(0) === 0xfeff ? decoded.slice(1) : decoded);
  const inside = (line: number, column: number) => Number.isInteger(line) && Number.isInteger(column) && line >= 1 && line <= lines.length && column >= 1 && column <= lines[line - 1] + 1;
  for (const f of report.findings) {
    if (!inside(f.line, f.column) || !inside(f.endLine, f.endColumn)) return `${f.ruleId} at ${f.line}:${f.column}-${f.endLine}:${f.endColumn} is outside the file (${lines.length} lines)`;
    if (f.endLine < f.line || (f.endLine === f.line && f.endColumn < f.column)) return `${f.ruleId} ends (${f.endLine}:${f.endColumn}) before it starts (${f.line}:${f.column})`;
  }
  return undefined;
}
