import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ensureTemplate, reapClusters, testRoot } from '../../src/testing/cluster';

const REPO_ROOT = path.resolve(__dirname, '..', '..');

/** Builds the initdb template once, reaps what earlier dead runs left, and arms the watchdog. */
export default async function globalSetup(): Promise<void> {
  await reapClusters();
  await ensureTemplate();
  startWatchdog(process.pid);
}

/**
 * Starts a detached watchdog that reaps every cluster started by any process of this test run
 * once `watchedPid` disappears, even if it was SIGKILLed.
 */
function startWatchdog(watchedPid: number): void {
  // The watchdog loads the compiled harness: under ts-jest there is no .js in src/.
  if (!fs.existsSync(path.join(REPO_ROOT, 'dist', 'src', 'testing', 'cluster.js'))) {
    throw new Error('dist/src/testing/cluster.js is missing: run npm run build first (npm test does)');
  }
  const child = spawn(process.execPath, [path.join(REPO_ROOT, 'scripts', 'test-watchdog.js'), String(watchedPid), testRoot()], {
    detached: true,
    stdio: 'ignore',
  });
  child.unref();
}
