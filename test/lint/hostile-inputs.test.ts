import { spawnSync, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { lintSources } from '../../src/lint/engine';
import { collectInputs } from '../../src/lint/inputs';
import { DBOPS_BIN, runCli } from '../harness/cli';
import { useTempTrees } from '../harness/temp-tree';

/* eslint-disable @typescript-eslint/no-explicit-any */

/**
 * Issue #17, the lint side of items 4, 6 and 14: inputs that cannot be walked or read are never
 * skipped in silence, positions count every line break, bytes that are not UTF-8 are reported, and
 * the summaries count files one way.
 */
const UNSAFE_INDEX = "SET lock_timeout = '2s';\nCREATE INDEX orders_created_idx ON orders (created_at);\n";

/** Runs the built CLI as an unprivileged user (root reads anything, so permissions would not matter). */
function lintAsNobody(args: string[], cwd: string): { status: number | null; stdout: string; stderr: string } {
  const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
  return spawnSync(process.execPath, [DBOPS_BIN, 'lint', ...args], { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, ...asNobody });
}

const json = (stdout: string) => JSON.parse(stdout);

describe('lint on inputs that cannot be walked or read', () => {
  const make = useTempTrees('dbops-hostile-');

  /** A tree the unprivileged user can enter (mkdtemp makes it 0700). */
  const tree = (files: Record<string, string>) => {
    const root = make(files);
    fs.chmodSync(root, 0o755);
    for (const dir of Object.keys(files).map((f) => path.dirname(f)).filter((d) => d !== '.')) fs.chmodSync(path.join(root, dir), 0o755);
    return root;
  };

  it('a directory it cannot read is an input-error (exit 2), not "no migrations" and exit 0', () => {
    const root = tree({ 'db/1_index.sql': UNSAFE_INDEX });
    fs.chmodSync(path.join(root, 'db'), 0o000);
    const r = lintAsNobody(['db'], root);
    expect(r.stderr).not.toMatch(/no \.sql migrations/);
    expect(r.status).toBe(2);
    expect(r.stdout).toMatch(/^db:1:1 {2}error {2}input-error\n {2}db cannot be read: permission denied$/m);
  });

  it('a subdirectory it cannot read is an input-error, and the readable migrations are still linted', () => {
    const root = tree({ 'db/1_index.sql': UNSAFE_INDEX, 'db/old/0_init.sql': 'CREATE TABLE orders (id int);' });
    fs.chmodSync(path.join(root, 'db/old'), 0o000);
    const r = lintAsNobody(['db', '-f', 'json'], root);
    expect(r.status).toBe(2);
    const doc = json(r.stdout);
    expect(doc.findings.map((f: any) => [f.file, f.ruleId, f.message])).toEqual([
      ['db/old', 'input-error', 'db/old cannot be read: permission denied'],
      ['db/1_index.sql', 'creating-index-non-concurrently', expect.any(String)],
    ]);
    expect(doc.summary).toMatchObject({ files: 2, filesLinted: 1, filesWithFindings: 2 });
  });

  it('a dangling link and a FIFO named *.sql in a linted directory are input-errors; the FIFO is never opened', async () => {
    const root = tree({ 'db/1_index.sql': UNSAFE_INDEX });
    fs.symlinkSync(path.join(root, 'db/gone.sql'), path.join(root, 'db/2_link.sql'));
    execFileSync('mkfifo', [path.join(root, 'db/3_pipe.sql')]);
    // Not named like a migration: ignored as before.
    fs.symlinkSync(path.join(root, 'nowhere'), path.join(root, 'db/notes.txt'));
    // A read of the FIFO would block until a writer comes: the timeout turns that into a failure.
    const r = await runCli(['lint', 'db', '-f', 'json'], { cwd: root, timeoutMs: 30_000 });
    expect(r.code).toBe(2);
    expect(json(r.stdout).findings.map((f: any) => [f.file, f.ruleId, f.message])).toEqual([
      ['db/2_link.sql', 'input-error', 'db/2_link.sql is a symbolic link that leads nowhere (its target does not exist or cannot be reached)'],
      ['db/3_pipe.sql', 'input-error', 'db/3_pipe.sql is not a regular file (a FIFO, socket or device), so it is not read'],
      ['db/1_index.sql', 'creating-index-non-concurrently', expect.any(String)],
    ]);
  });

  it('dbops migrate names the unreadable subdirectory instead of applying the rest', () => {
    const root = tree({ 'db/1_index.sql': UNSAFE_INDEX, 'db/old/0_init.sql': 'CREATE TABLE orders (id int);' });
    fs.chmodSync(path.join(root, 'db/old'), 0o000);
    const asNobody = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    // No server needed: the directory is read before connecting.
    const r = spawnSync(process.execPath, [DBOPS_BIN, 'migrate', 'plan', '--dir', 'db'], { cwd: root, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' }, ...asNobody });
    expect(r.stderr).toMatch(/^error: db\/old: cannot be read: permission denied — /m);
    expect(r.status).toBe(2);
  });
});

describe('lint positions and encodings', () => {
  const options = { pgVersion: 15, maxLockTimeoutMs: 5000 };

  it('a lone CR ends a line: findings in a file with old Mac line endings point at the right line', async () => {
    const text = "SET lock_timeout = '2s';\rCREATE TABLE t (a int);\r\rCREATE INDEX i ON orders (a);\r";
    const report = await lintSources([{ path: 'cr.sql', text }], options);
    const finding = report.findings.find((f) => f.ruleId === 'creating-index-non-concurrently');
    expect(finding).toMatchObject({ start: { line: 4, column: 1 }, end: { line: 4, column: 29 } });
    // CRLF is one break, not two.
    const crlf = await lintSources([{ path: 'crlf.sql', text: text.replace(/\r/g, '\r\n') }], options);
    expect(crlf.findings.find((f) => f.ruleId === 'creating-index-non-concurrently')).toMatchObject({ start: { line: 4, column: 1 } });
  });

  it('a suppression comment ends at a lone CR, as it does at \\n', async () => {
    // The next comment line is not the suppression's reason.
    const lines = ["SET lock_timeout = '2s';", '-- dbops-ignore: creating-index-non-concurrently', '-- orders is empty here', 'CREATE INDEX i ON orders (a);', ''];
    const findings = async (text: string) => (await lintSources([{ path: 'm.sql', text }], options)).findings.map((f) => [f.ruleId, f.start.line, f.start.column]);
    const expected = [
      ['invalid-suppression', 2, 1],
      ['creating-index-non-concurrently', 4, 1],
    ];
    expect(await findings(lines.join('\n'))).toEqual(expected);
    expect(await findings(lines.join('\r'))).toEqual(expected);
  });

  it('bytes that are not UTF-8 are an input-error at their line and column, saying PostgreSQL would reject them', async () => {
    const bytes = Buffer.concat([Buffer.from("SET lock_timeout = '2s';\n-- café\nCOMMENT ON TABLE t IS 'caf"), Buffer.from([0xe9]), Buffer.from("';\n")]);
    const inputs = await collectInputs({ paths: ['-'], cwd: '/', readStdin: async () => bytes });
    expect(inputs.sources).toEqual([]);
    expect(inputs.problems).toEqual([
      expect.objectContaining({
        ruleId: 'input-error',
        file: '<stdin>',
        message: 'standard input is not valid UTF-8 (invalid byte sequence 0xe9 0x27): PostgreSQL would reject it',
        start: { offset: 59, line: 3, column: 27 },
      }),
    ]);
    for (const [invalid, shown] of [
      [[0xed, 0xa0, 0x80], '0xed 0xa0'], // an encoded surrogate
      [[0xc0, 0x80], '0xc0'], // overlong
      [[0xf4, 0x90, 0x80, 0x80], '0xf4 0x90'], // past U+10FFFF
      [[0xe2, 0x82], '0xe2 0x82'], // cut short at the end
    ] as const) {
      const read = await collectInputs({ paths: ['-'], cwd: '/', readStdin: async () => Buffer.concat([Buffer.from('\uFEFFSELECT 1;\r'), Buffer.from(invalid)]) });
      expect(read.problems.map((p) => [p.message, p.start.line, p.start.column])).toEqual([[`standard input is not valid UTF-8 (invalid byte sequence ${shown}): PostgreSQL would reject it`, 2, 1]]);
    }
  });

  it('a syntax error after non-ASCII text is at its character, not at a byte offset (found by bench/fuzz.js)', async () => {
    const at = async (text: string) => (await lintSources([{ path: 'm.sql', text }], options)).findings.filter((f) => f.ruleId === 'syntax-error').map((f) => [f.start.line, f.start.column]);
    expect(await at("SELECT 'é' FROM x y z;")).toEqual([[1, 21]]);
    expect(await at("SELECT 1;\nSELECT '😀' FROM x y z;")).toEqual([[2, 22]]);
    expect(await at('ALTER TABLE t ADD COLUMN 😀\r\nc integer;')).toEqual([[2, 3]]);
  });

  it('valid UTF-8 with a BOM, astral characters and U+2028 is linted as before', async () => {
    const inputs = await collectInputs({ paths: ['-'], cwd: '/', readStdin: async () => Buffer.from("\uFEFFCOMMENT ON TABLE t IS '😀\u2028é';\n") });
    expect(inputs.problems).toEqual([]);
    expect(inputs.sources[0].text).toBe("COMMENT ON TABLE t IS '😀\u2028é';\n");
  });
});

describe('lint summaries for inputs that could not be read (#17 item 14)', () => {
  const make = useTempTrees('dbops-summary-');

  it('"lint nosuch.sql 001_init.sql" says 1 of 2 files, 1 could not be read, and what was checked', async () => {
    const root = make({ '001_init.sql': "SET lock_timeout = '2s';\nCREATE TABLE a (id int);\nCREATE INDEX a_id ON a (id);\n" });
    const r = await runCli(['lint', 'nosuch.sql', '001_init.sql'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stdout.trim().split('\n').pop()).toBe('✖ 1 error, 0 warnings in 1 of 2 files (1 file could not be read; 3 statements in 1 file checked for PostgreSQL 15)');
    const doc = json((await runCli(['lint', 'nosuch.sql', '001_init.sql', '-f', 'json'], { cwd: root })).stdout);
    expect(doc.summary).toMatchObject({ files: 2, filesLinted: 1, filesWithFindings: 1, statements: 3 });
    expect(doc.files.map((f: any) => [f.path, f.linted])).toEqual([['001_init.sql', true], ['nosuch.sql', false]]);
  });
});
