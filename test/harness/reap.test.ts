import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { reapClusters, waitFor } from '../../src/testing/cluster';
import { REPO_ROOT } from '../harness/cli';

const run = promisify(execFile);

describe('reapClusters', () => {
  it('stops and removes a cluster whose test process died without stopping it', async () => {
    // A child process starts a cluster and exits without stopping it, as a killed test would.
    const script = `require(${JSON.stringify(path.join(REPO_ROOT, 'dist/src/testing/cluster'))}).startCluster().then((c) => { console.log(c.dir + ' ' + c.primary.dataDir); process.exit(0); })`;
    const { stdout } = await run(process.execPath, ['-e', script]);
    const [dir, dataDir] = stdout.trim().split(' ');
    const pid = Number(fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8').split('\n')[0]);
    expect(() => process.kill(pid, 0)).not.toThrow();

    expect(await reapClusters()).toBeGreaterThanOrEqual(1);
    expect(fs.existsSync(dir)).toBe(false);
    // pg_ctl returns once the pid file is gone; the postmaster exits a moment later.
    const gone = async () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    };
    await waitFor(gone, 5000, 'the orphaned postmaster to exit');
    expect(await gone()).toBe(true);
  });
});
