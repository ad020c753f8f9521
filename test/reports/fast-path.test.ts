import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import { parseSimpleArgv } from '../../src/cli/fast-path';
import { CONNECTIONS_FLAGS, LAG_FLAGS, REPORT_FLAGS } from '../../src/cli/report-flags';
import { REPO_ROOT, runCli } from '../harness/cli';

const DEAD = 'postgres://u@127.0.0.1:1/db';

describe('report lag and report connections without oclif', () => {
  it('parses plain report invocations with the defaults oclif would give', () => {
    expect(parseSimpleArgv(['--primary', DEAD, '--replica', 'a=x', '--replica=b=y', '--concurrency', '8', '--problems', '--format', 'table'], { ...REPORT_FLAGS, ...LAG_FLAGS })).toEqual({
      flags: { primary: DEAD, replica: ['a=x', 'b=y'], concurrency: 8, problems: true, format: 'table', 'connect-timeout': '5s', 'statement-timeout': '5s', warn: '30s', critical: '5min' },
      args: [],
    });
    expect(parseSimpleArgv([], { ...REPORT_FLAGS, ...CONNECTIONS_FLAGS })?.flags).toMatchObject({ limit: 5000, top: 10, problems: false, warn: '80%', critical: '95%' });
  });

  it('hands to oclif what it is not sure about: bad integers, help, flags of other reports', () => {
    for (const argv of [['--concurrency', '0'], ['--concurrency', 'many'], ['--concurrency', '1.5'], ['--help'], ['--url', DEAD], ['--format', 'sarif'], ['--pgbouncer', DEAD]]) {
      expect(parseSimpleArgv(argv, { ...REPORT_FLAGS, ...LAG_FLAGS })).toBeUndefined();
    }
  });

  it('runs `report lag` without loading oclif, with the monitoring exit code of the report', () => {
    const main = path.join(REPO_ROOT, 'dist', 'src', 'cli', 'main.js');
    const script = `require(${JSON.stringify(main)}).main(process.argv.slice(1)).then(() => process.stderr.write('oclif loaded: ' + Object.keys(require.cache).some((k) => k.includes('@oclif')) + '\\n'))`;
    const r = spawnSync(process.execPath, ['-e', script, 'report', 'lag', '--primary', DEAD, '--connect-timeout', '2s', '--format', 'json'], { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } });
    expect(r.stderr).toContain('oclif loaded: false');
    expect(r.status).toBe(3);
    expect(JSON.parse(r.stdout)).toMatchObject({ status: 'UNKNOWN' });
  });

  it('fails a bad flag value in one line with UNKNOWN (3), as the oclif command does', async () => {
    const r = await runCli(['report', 'lag', '--primary', DEAD, '--watch', '10ms']);
    expect(r.code).toBe(3);
    expect(r.stderr.trim().split('\n')).toEqual(['error: --watch 10ms is too short — use an interval of at least 100ms, e.g. --watch 2s']);
  });
});
