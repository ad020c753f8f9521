#!/usr/bin/env node
// Detached watchdog for a jest run: polls the runner's pid and, once it is gone, reaps clusters
// whose starting process is gone too. Started by test/harness/global-setup.ts; test-only, so it
// lives here rather than in the shipped src/. Needs the compiled tree (npm run build).
const { reapClusters } = require('../dist/src/testing/cluster');

const watched = Number(process.argv[2]);
const root = process.argv[3];

function alive(pid) {
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
