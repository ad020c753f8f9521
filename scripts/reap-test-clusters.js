#!/usr/bin/env node
// Stops and removes test clusters whose test process is gone (or all of them with --all).
// Needs the compiled tree (npm run build).
const { reapClusters, testRoot } = require('../dist/src/testing/cluster');

reapClusters({ all: process.argv.includes('--all') })
  .then((n) => {
    if (n > 0) console.log(`reaped ${n} stale test cluster(s) under ${testRoot()}`);
  })
  .catch((err) => {
    console.error(`error: could not reap test clusters: ${err.message}`);
    process.exitCode = 1;
  });
