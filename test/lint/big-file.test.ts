import { spawn } from 'node:child_process';
import { DBOPS_BIN } from '../harness/cli';
import { useTempTrees } from '../harness/temp-tree';

/**
 * Issue #17 item 5: a file of 50,000 ADD COLUMN statements took 520 MB. Each statement's tree
 * lives only while it is analysed, a statement's analysis only until it is linted, and each
 * finding is written as soon as nothing can come before it (#13), not kept. The heap limit below
 * is what catches a regression (no timing): the whole file's trees, the report as one string, or
 * the file's 50,000 findings held to its end (that needed 42–44 MB) do not fit in it; the run
 * needs 26–28 MB, most of it the 50,000 columns the schema model records.
 */
const STATEMENTS = 50_000;
const HEAP_LIMIT_MB = 36;

function lintWithHeapLimit(file: string, format: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`--max-old-space-size=${HEAP_LIMIT_MB}`, DBOPS_BIN, 'lint', '--format', format, file], { env: { ...process.env, NO_COLOR: '1' } });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out).toString('utf8'), stderr }));
  });
}

describe('lint on a very big file', () => {
  const make = useTempTrees('dbops-bigfile-');

  it(`lints ${STATEMENTS} statements within a ${HEAP_LIMIT_MB} MB heap, every finding reported`, async () => {
    const lines = Array.from({ length: STATEMENTS }, (_, i) => `ALTER TABLE orders ADD COLUMN c${i + 1} integer;`);
    const root = make({ 'big.sql': `${lines.join('\n')}\n` });
    const json = await lintWithHeapLimit(`${root}/big.sql`, 'json');
    expect(json.stderr).not.toMatch(/heap out of memory/);
    expect(json.code).toBe(1);
    const doc = JSON.parse(json.stdout);
    expect(doc.summary).toMatchObject({ files: 1, filesLinted: 1, statements: STATEMENTS, errors: STATEMENTS });
    expect(doc.findings[STATEMENTS - 1]).toMatchObject({ ruleId: 'lock-timeout', line: STATEMENTS });
    const pretty = await lintWithHeapLimit(`${root}/big.sql`, 'pretty');
    expect(pretty.code).toBe(1);
    expect(pretty.stdout.trim().split('\n').pop()).toBe(`✖ ${STATEMENTS} errors, 0 warnings in 1 file (${STATEMENTS} statements checked for PostgreSQL 15)`);
  }, 300_000);
});
