import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runCli } from '../harness/cli';

describe('CLI error contract', () => {
  it('an unknown command is one line with the fix and exit 2', async () => {
    const r = await runCli(['no-such-command']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toEqual(['error: command no-such-command not found — run `dbops --help` to list commands']);
  });

  it('an unknown flag is one line and exit 2, with no stack trace', async () => {
    const r = await runCli(['config', 'show', '--bogus']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: Nonexistent flag: --bogus — see --help\n$/);
  });

  it('finds dbops.config.json walking up from the current directory and validates it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-cfg-'));
    const nested = path.join(dir, 'a', 'b');
    fs.mkdirSync(nested, { recursive: true });
    fs.writeFileSync(path.join(dir, 'dbops.config.json'), JSON.stringify({ pgVersion: 13, policy: { maxLockTimeout: '3s' } }));
    const ok = await runCli(['config', 'show'], { cwd: nested });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ file: path.join(dir, 'dbops.config.json'), pgVersion: 13, maxLockTimeout: '3s' });

    fs.writeFileSync(path.join(dir, 'dbops.config.json'), '{"pgVersion": 13,');
    const bad = await runCli(['config', 'show'], { cwd: nested });
    expect(bad.code).toBe(2);
    expect(bad.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(bad.stderr).toMatch(/is not valid JSON/);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('--debug adds the stack trace', async () => {
    const r = await runCli(['config', 'show', '--config', '/nonexistent/dbops.config.json', '--debug']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: cannot read config file/);
    expect(r.stderr).toMatch(/\n\s+at /);
  });
});
