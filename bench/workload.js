#!/usr/bin/env node
// The cost of `dbops report workload` on a big server: a throwaway primary with N tables (default
// 10,000) and M distinct statement fingerprints in pg_stat_statements (default 5,000: key lookups,
// updates, inserts and two-table joins spread over the tables), some rows written.
//
// Side by side in one run, each in a fresh process, alternating, --reps times:
//   yardstick: reading the same views the report reads, twice over the same interval, with pg and
//              nothing else (pg_stat_user_tables joined with pg_class, pg_stat_statements);
//   report:    the whole report as `dbops report workload --format json` produces it (two samples,
//              the parser over every statement, function volatility, analysis, JSON).
// Prints wall time, wall time less the interval, CPU time and peak RSS of each, and the ratio.
//
//   npm run build && node bench/workload.js [--tables 10000] [--statements 5000] [--interval 1s] [--reps 3]
const { spawnSync } = require('node:child_process');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};

async function measureReport(url, intervalMs) {
  const { resolveTopology } = require(path.join(ROOT, 'dist', 'src', 'replication', 'topology'));
  const { produceWorkloadReport } = require(path.join(ROOT, 'dist', 'src', 'reports', 'workload', 'report'));
  const { parseWorkloadThresholds } = require(path.join(ROOT, 'dist', 'src', 'reports', 'workload', 'evaluate'));
  const thresholds = parseWorkloadThresholds({ horizonWarn: '30min', horizonCritical: '2h', wraparoundWarn: '50%', wraparoundCritical: '25%', deadWarn: '20%', deadCritical: '50%', deadMinRows: 10000 });
  const topology = resolveTopology({ primary: url });
  // The CLI's default timeouts (5 s connect, 5 s per statement): the figures are for the report as shipped.
  const options = { intervalMs, top: 10, tiers: new Map() };
  const rendered = await produceWorkloadReport(topology, thresholds, options, 'json');
  const doc = JSON.parse(rendered.text);
  if (!doc.primary.reachable) throw new Error(doc.primary.error);
  return { statements: doc.statementCount, unparsed: doc.unparsed, candidates: doc.candidates.length, reads: doc.reads.length };
}

async function measureYardstick(url, intervalMs) {
  const read = async () => {
    const c = new Client({ connectionString: url });
    await c.connect();
    const tables = await c.query('SELECT s.*, c.reltuples, c.reloptions FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid');
    const statements = await c.query('SELECT * FROM pg_stat_statements WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())');
    await c.end();
    return { tables: tables.rowCount, statements: statements.rowCount };
  };
  await read();
  await new Promise((r) => setTimeout(r, intervalMs));
  return read();
}

/** Child process: one measurement, printed as JSON. */
async function child(kind, url, intervalMs) {
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  const result = kind === 'report' ? await measureReport(url, intervalMs) : await measureYardstick(url, intervalMs);
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  const cpu = process.cpuUsage(cpuStart);
  console.log(JSON.stringify({ ...result, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMb: process.resourceUsage().maxRSS / 1024 }));
}

async function psqlBatches(cluster, statements, perBatch) {
  // The set-up's DDL is not the workload: kept out of pg_stat_statements.
  for (let i = 0; i < statements.length; i += perBatch) {
    await cluster.psql(cluster.primary, `SET pg_stat_statements.track_utility = off;\nBEGIN;\n${statements.slice(i, i + perBatch).join('\n')}\nCOMMIT;`);
  }
}

async function setUp(tables, fingerprints) {
  const { startCluster } = require(path.join(ROOT, 'dist', 'src', 'testing', 'cluster'));
  const cluster = await startCluster({ settings: { shared_preload_libraries: 'pg_stat_statements', 'pg_stat_statements.max': 10000, shared_buffers: '256MB' } });
  const t0 = Date.now();
  await cluster.psql(cluster.primary, 'CREATE EXTENSION pg_stat_statements');
  // Batches keep each transaction's locks within max_locks_per_transaction.
  const ddl = Array.from({ length: tables }, (_, i) => `CREATE TABLE t_${i} (id int PRIMARY KEY, v int NOT NULL DEFAULT 0, note text);`);
  await psqlBatches(cluster, ddl, 500);
  await cluster.psql(cluster.primary, 'SELECT pg_stat_statements_reset()');
  const c = new Client({ connectionString: cluster.primary.url, application_name: 'bench-app' });
  await c.connect();
  // Statement texts differ by table, so each is its own fingerprint.
  const shapes = [
    (t) => [`INSERT INTO t_${t} (id, v) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING`, [1, 1]],
    (t) => [`UPDATE t_${t} SET v = v + 1 WHERE id = $1`, [1]],
    (t) => [`SELECT v, note FROM t_${t} WHERE id = $1`, [1]],
    (t) => [`SELECT a.v, b.note FROM t_${t} a JOIN t_${(t + 1) % tables} b ON b.id = a.id WHERE a.id = $1`, [1]],
    (t) => [`DELETE FROM t_${t} WHERE id = $1 AND v > $2`, [2, 100]],
  ];
  for (let i = 0; i < fingerprints; i++) {
    const [sql, params] = shapes[i % shapes.length](Math.floor(i / shapes.length) % tables);
    await c.query(sql, params);
  }
  await c.end();
  const count = await cluster.psql(cluster.primary, 'SELECT count(*) FROM pg_stat_statements');
  console.log(`set-up: ${tables.toLocaleString('en-US')} tables, ${Number(count).toLocaleString('en-US')} pg_stat_statements entries in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return cluster;
}

function run(kind, url, intervalMs) {
  const r = spawnSync(process.execPath, [__filename, '--child', kind, url, String(intervalMs)], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${kind}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main() {
  if (args[0] === '--child') return child(args[1], args[2], Number(args[3]));
  const { parseDuration } = require(path.join(ROOT, 'dist', 'src', 'util', 'duration'));
  const tables = Number(flag('--tables', '10000'));
  const fingerprints = Number(flag('--statements', '5000'));
  const intervalMs = parseDuration(flag('--interval', '1s'));
  const reps = Number(flag('--reps', '3'));
  console.log(`node ${process.version}, ${os.cpus().length} cores, load average ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  const cluster = await setUp(tables, fingerprints);
  try {
    const results = { yardstick: [], report: [] };
    for (let i = 0; i < reps; i++) {
      for (const kind of ['yardstick', 'report']) {
        const r = run(kind, cluster.primary.url, intervalMs);
        results[kind].push(r);
        const detail = kind === 'report' ? `${r.statements} statements (${r.unparsed} unparsed), ${r.candidates} candidates, ${r.reads} replica reads` : `${r.tables} tables, ${r.statements} statements read twice`;
        console.log(`  ${kind.padEnd(9)} #${i + 1}: ${r.seconds.toFixed(2)} s wall (${(r.seconds - intervalMs / 1000).toFixed(2)} s beyond the interval), ${r.cpuSeconds.toFixed(2)} s CPU, peak RSS ${r.peakRssMb.toFixed(0)} MB — ${detail}`);
      }
    }
    const m = (kind, key) => median(results[kind].map((r) => r[key]));
    const beyond = (kind) => m(kind, 'seconds') - intervalMs / 1000;
    console.log(`median: yardstick ${m('yardstick', 'seconds').toFixed(2)} s wall / ${m('yardstick', 'peakRssMb').toFixed(0)} MB; report ${m('report', 'seconds').toFixed(2)} s wall / ${m('report', 'peakRssMb').toFixed(0)} MB`);
    console.log(`ratio report / yardstick: wall beyond the interval ${(beyond('report') / beyond('yardstick')).toFixed(2)}, CPU ${(m('report', 'cpuSeconds') / m('yardstick', 'cpuSeconds')).toFixed(2)}, peak RSS ${(m('report', 'peakRssMb') / m('yardstick', 'peakRssMb')).toFixed(2)}`);
    console.log(`load average after: ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  } finally {
    await cluster.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
