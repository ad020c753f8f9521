import { spawn } from 'node:child_process';
import { DBOPS_BIN } from '../harness/cli';
import { useTempTrees } from '../harness/temp-tree';

/** `dbops lint … | head`: the reader takes a little and closes the pipe while dbops still writes. */
function lintIntoClosingReader(args: string[]): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [DBOPS_BIN, 'lint', ...args], { env: { ...process.env, NO_COLOR: '1' } });
    let stderr = '';
    child.stdout.once('data', () => child.stdout.destroy());
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stderr }));
  });
}

describe('a reader that closes the pipe early', () => {
  const make = useTempTrees('dbops-epipe-');

  it.each(['text', 'json'])('%s: no crash, no stack trace, and the exit code is the run\'s', async (format) => {
    // ~1 MB of report: far more than a pipe holds, so dbops is still writing when the reader leaves.
    const lines = Array.from({ length: 3000 }, (_, i) => `ALTER TABLE orders ADD COLUMN c${i} integer;`);
    const root = make({ 'big.sql': `${lines.join('\n')}\n` });
    const r = await lintIntoClosingReader(['--format', format, `${root}/big.sql`]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(1);
  });
});
