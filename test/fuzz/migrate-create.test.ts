import fc from 'fast-check';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { UsageError } from '../../src/core/errors';
import { createMigrationFile } from '../../src/migrate/create';
import { loadParser, parseSqlFile } from '../../src/sql/parser';

/**
 * The one piece of text from the command line that dbops migrate writes into SQL is the name given
 * to `migrate create` (the file's first line, a comment). Whatever the name, the new file must
 * hold no statement at all: a line break (\n or \r, which also ends a `--` comment for
 * PostgreSQL) used to turn the rest of the name into SQL. migrate takes no other SQL fragment
 * from flags or configuration (durations, counts, paths and a URL only). Bounded: a few seconds.
 */
const pieces = ['\n', '\r', '\r\n', '\u2028', '\u0000', '\t', '\u000b', '\u000c', '\u0085', '*/', '/*', '--', ';', "'", '$$', 'DROP TABLE accounts;', 'SELECT 1', 'add email', 'é', '🙂'];
const name = fc.oneof(
  fc.array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 8 }).map((p) => p.join('')),
  fc.tuple(fc.string({ maxLength: 20 }), fc.constantFrom(...pieces), fc.string({ unit: 'binary', maxLength: 20 })).map((p) => p.join('')),
  fc.string({ unit: 'binary', maxLength: 40 }),
);

describe('fuzz: migrate create names', () => {
  beforeAll(() => loadParser());

  it('never put a statement into the new migration', () => {
    let written = 0;
    fc.assert(
      fc.property(name, (n) => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-create-fuzz-'));
        try {
          let file: string;
          try {
            file = createMigrationFile(dir, n);
          } catch (err) {
            if (err instanceof UsageError) return;
            throw err;
          }
          written++;
          const parsed = parseSqlFile(fs.readFileSync(file, 'utf8'));
          expect({ name: n, statements: parsed.statements.length, errors: parsed.errors }).toEqual({ name: n, statements: 0, errors: [] });
        } finally {
          fs.rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 2000, interruptAfterTimeLimit: 4000, seed: Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31) },
    );
    expect(written).toBeGreaterThan(20);
  });

  it('a two-line name stays a comment', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-create-'));
    try {
      for (const n of ['fix\nDROP TABLE accounts;', 'fix\rDROP TABLE accounts;']) {
        const text = fs.readFileSync(createMigrationFile(dir, n), 'utf8');
        expect(text.split('\n')[0]).toBe('-- fix DROP TABLE accounts;');
        expect(parseSqlFile(text).statements).toEqual([]);
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
