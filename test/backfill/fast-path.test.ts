import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSimpleArgv } from '../../src/cli/fast-path';
import { BACKFILL_RUN_FLAGS } from '../../src/cli/backfill-flags';
import { REPO_ROOT, runCli } from '../harness/cli';

const DEAD = 'postgres://u@127.0.0.1:1/db';

/** Runs dist's main() in a child and reports on stderr whether any @oclif module was loaded. */
function runMainReportingOclif(argv: string[]) {
  const main = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
  const script = `require(${JSON.stringify(main)}).main(process.argv.slice(1)).then(() => process.stderr.write('oclif loaded: ' + Object.keys(require.cache).some((k) => k.includes('@oclif')) + '\\n'))`;
  return spawnSync(process.execPath, ['-e', script, ...argv], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', DBOPS_DEBUG: '' } });
}

describe('backfill run without oclif', () => {
  it('parses a plain invocation with the values oclif would give', () => {
    const argv = ['--url', DEAD, '--table', 'orders', '--set', 'a = 1', '--batch-size', '500', '--replica', 'a=x', '--replica=b=y', '--dry-run', '--format', 'pretty'];
    expect(parseSimpleArgv(argv, BACKFILL_RUN_FLAGS)).toEqual({
      flags: { url: DEAD, table: 'orders', set: 'a = 1', 'batch-size': 500, replica: ['a=x', 'b=y'], 'dry-run': true, format: 'pretty' },
      args: [],
    });
    expect(parseSimpleArgv(['--table', 't', '--sql', 'f.sql'], BACKFILL_RUN_FLAGS)?.flags).toEqual({ table: 't', sql: 'f.sql', format: 'text' });
  });

  it('hands to oclif what it is not sure about: help, unknown flags, bad values, --set with --sql, no --table', () => {
    for (const argv of [
      ['--table', 't', '--help'],
      ['--table', 't', '--primary', DEAD],
      ['--table', 't', '--batch-size', 'x'],
      ['--table', 't', '--format', 'sarif'],
      ['--table', 't', '--set', 'a = 1', '--sql', 'f.sql'],
      ['--set', 'a = 1'],
      ['--table', 't', '--table', 'u'],
    ]) {
      expect(parseSimpleArgv(argv, BACKFILL_RUN_FLAGS)).toBeUndefined();
    }
  });

  it('runs without loading oclif, with the exit code and one-line error of the oclif command', () => {
    const r = runMainReportingOclif(['backfill', 'run', '--url', DEAD, '--table', 't', '--set', 'x = 1']);
    expect(r.stderr).toContain('oclif loaded: false');
    expect(r.status).toBe(3);
    expect(r.stderr.split('\n')[0]).toBe('error: cannot connect to 127.0.0.1:1/db: connection refused — start the server or fix the host/port in --url or DATABASE_URL');
    expect(r.stderr).not.toMatch(/\n +at /);
  });

  it('prints the stack with --debug, as the oclif command does', () => {
    const r = runMainReportingOclif(['backfill', 'run', '--url', DEAD, '--table', 't', '--set', 'x = 1', '--debug']);
    expect(r.stderr).toContain('oclif loaded: false');
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/^DbopsError: cannot connect/m);
    expect(r.stderr).toMatch(/\n +at /);
  });

  it('falls back to oclif for a flag error, which keeps its message and usage exit code', () => {
    const both = runMainReportingOclif(['backfill', 'run', '--url', DEAD, '--table', 't', '--set', 'x = 1', '--sql', 'f.sql']);
    expect(both.stderr).toContain('oclif loaded: true');
    expect(both.status).toBe(2);
    expect(both.stderr).toContain('error: The following error occurred:: --sql=f.sql cannot also be provided when using --set — see --help');
    const noTable = runMainReportingOclif(['backfill', 'run', '--set', 'x = 1']);
    expect(noTable.status).toBe(2);
    expect(noTable.stderr).toContain('Missing required flag table');
  });

  it('keeps the --help of the hand-written oclif flags byte for byte', async () => {
    // run-help.txt is the help printed before the flags became shared specs (backfill-flags.ts).
    const r = await runCli(['backfill', 'run', '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout + r.stderr).toBe(fs.readFileSync(path.join(__dirname, 'fixtures', 'run-help.txt'), 'utf8'));
  });
});
