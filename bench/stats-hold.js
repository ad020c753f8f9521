#!/usr/bin/env node
// Estimated vs measured lock hold times (needs `npm run build`):
//   node bench/stats-hold.js [--sizes 10,100,1024] [--runs 3]
// Starts its own PostgreSQL 15 (the test harness's cluster), builds tables of the given sizes in
// MB (id int PRIMARY KEY, v int, 180-byte filler; generate_series), takes `dbops stats snapshot`
// through the CLI, asks the lint engine for the hold it estimates for
//   ALTER TABLE t ALTER COLUMN v SET NOT NULL      (a scan under AccessExclusiveLock)
//   ALTER TABLE t ALTER COLUMN v TYPE bigint       (a rewrite of the table and its index)
// and times each statement (median of --runs, undone between runs). Prints one row per table and
// statement with the ratio estimated / measured; the goal is a ratio within 0.5–2.
const { spawnSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const ROOT = path.resolve(__dirname, '..');
const { startCluster } = require(path.join(ROOT, 'dist/src/testing/cluster'));
const { createSizedTable, medianChangeMs } = require(path.join(ROOT, 'dist/src/testing/sized-table'));
const { lintSources } = require(path.join(ROOT, 'dist/src/lint/engine'));
const { Client } = require('pg');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

async function estimate(snapshot, sql, ruleId) {
  const report = await lintSources([{ path: 'bench.sql', text: sql }], { pgVersion: 15, maxLockTimeoutMs: 5000, stats: snapshot });
  return report.findings.find((f) => f.ruleId === ruleId).hold.seconds;
}

async function main() {
  const sizes = arg('sizes', '10,100,1024').split(',').map(Number);
  const runs = Number(arg('runs', '3'));
  const cluster = await startCluster({ settings: { shared_buffers: "'256MB'" } });
  const client = new Client({ connectionString: cluster.primary.url });
  client.on('error', () => undefined);
  await client.connect();
  try {
    for (const mb of sizes) {
      const start = Date.now();
      await createSizedTable(client, `t${mb}`, mb);
      console.error(`built t${mb} in ${((Date.now() - start) / 1000).toFixed(1)} s`);
    }
    const snap = spawnSync(process.execPath, [path.join(ROOT, 'bin/run.js'), 'stats', 'snapshot', '--url', cluster.primary.url], { encoding: 'utf8' });
    if (snap.status !== 0) throw new Error(snap.stderr);
    const snapshot = JSON.parse(snap.stdout);
    const t = snapshot.throughput;
    console.log(`throughput (${t.source}, on ${t.measuredOn}): scan ${(t.scanBytesPerSecond / 2 ** 20).toFixed(0)} MB/s, rewrite ${(t.rewriteBytesPerSecond / 2 ** 20).toFixed(0)} MB/s`);
    console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    console.log('| table | size (table + index) | statement | estimated | measured (median of ' + runs + ') | estimated / measured |');
    console.log('|---|---:|---|---:|---:|---:|');
    for (const mb of sizes) {
      const table = `t${mb}`;
      const entry = snapshot.tables.find((x) => x.schema === 'public' && x.name === table);
      const size = `${((entry.heapBytes + entry.indexBytes) / 2 ** 20).toFixed(0)} MB`;
      const cases = [
        ['SET NOT NULL', `ALTER TABLE ${table} ALTER COLUMN v SET NOT NULL`, `ALTER TABLE ${table} ALTER COLUMN v DROP NOT NULL`, 'setting-not-null'],
        ['TYPE bigint', `ALTER TABLE ${table} ALTER COLUMN v TYPE bigint`, `ALTER TABLE ${table} ALTER COLUMN v TYPE int`, 'changing-column-type'],
      ];
      for (const [label, change, undo, rule] of cases) {
        const estimated = await estimate(snapshot, `${change};`, rule);
        const measured = (await medianChangeMs(client, change, undo, runs)) / 1000;
        console.log(`| ${table} | ${size} | ${label} | ${estimated.toFixed(2)} s | ${measured.toFixed(2)} s | ${(estimated / measured).toFixed(2)} |`);
      }
    }
    console.log(`load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    await client.end();
    await cluster.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
