/**
 * Detached watchdog: polls the test runner's pid and, once it is gone, reaps clusters whose
 * starting process is gone too. Started by the test harness's global setup.
 */
import { reapClusters } from './cluster';

const watched = Number(process.argv[2]);
const root = process.argv[3];

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const timer = setInterval(() => {
  if (alive(watched)) return;
  clearInterval(timer);
  // Give a normal teardown a moment to finish first.
  setTimeout(() => {
    void reapClusters({ root }).finally(() => process.exit(0));
  }, 1000);
}, 500);
