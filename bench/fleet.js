#!/usr/bin/env node
/**
 * dbops at fleet scale (build first: npx tsc -p tsconfig.json).
 *
 *   node bench/fleet.js [--replicas 50] [--reps 5] [--poll-seconds 20] [--show]
 *
 * Starts one primary and a fleet of replicas (4 direct standbys, 12 intermediates, the rest leaves
 * under them: src/testing/fleet.ts), writes a dbops.config.json describing it, then prints:
 *  1. `dbops report lag` and `dbops report connections` over the whole fleet, through the real
 *     CLI: wall time and peak RSS, cold (first run) and warm (median of --reps), side by side
 *     with the same command over the primary alone (the yardstick: the ratio is what 50 nodes cost
 *     over one, process start-up included);
 *  2. the backfill throttle polling every node for --poll-seconds, side by side: the idle fleet
 *     (yardstick), the reader before #15 (collectLag every 100 ms, new sessions each round), the
 *     LagWatcher (`backfill run --max-replica-lag`) at its 100 ms base interval and while the
 *     fleet is far below the limit: rounds per second, client CPU, and the CPU every server of
 *     the fleet spent above idle (postmasters and their children, from /proc).
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startCluster } = require('../dist/src/testing/cluster');
const { startFleet, FLEET_NODE_SETTINGS } = require('../dist/src/testing/fleet');
const { serversCpu: fleetCpu } = require('./proc-cpu');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const REPLICAS = opt('--replicas', 50);
const REPS = opt('--reps', 5);
const POLL_SECONDS = opt('--poll-seconds', 20);
const BIN = path.join(__dirname, '..', 'bin', 'run.js');

function runCli(cliArgs, cwd) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%M', process.execPath, BIN, ...cliArgs], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      const rssKb = Number(err.trim().split('\n').pop());
      resolve({ code, out, err, ms, rssMb: rssKb / 1024 });
    });
  });
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f1 = (n) => n.toFixed(1);

async function timeCommand(label, cliArgs, cwd) {
  const cold = await runCli(cliArgs, cwd);
  if (cold.code !== 0 && cold.code !== 1 && cold.code !== 2) throw new Error(`${label} failed (${cold.code}): ${cold.err}`);
  const warm = [];
  for (let i = 0; i < REPS; i++) warm.push(await runCli(cliArgs, cwd));
  return { label, cold, warmMs: median(warm.map((r) => r.ms)), warmRss: median(warm.map((r) => r.rssMb)), last: warm[warm.length - 1] };
}

/** Runs `poll` for POLL_SECONDS: rounds, client CPU and the fleet's server CPU, as % of one core. */
async function measure(label, dataDirs, poll) {
  const serverBefore = fleetCpu(dataDirs);
  const before = process.cpuUsage();
  const started = Date.now();
  let rounds = 0;
  while (Date.now() - started < POLL_SECONDS * 1000) rounds += await poll();
  const seconds = (Date.now() - started) / 1000;
  const used = process.cpuUsage(before);
  const clientCpu = (used.user + used.system) / 1e6;
  return { label, rounds, seconds, clientCpu, clientPct: (clientCpu / seconds) * 100, serverPct: ((fleetCpu(dataDirs) - serverBefore) / seconds) * 100 };
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * The throttle's cost, side by side over the same fleet: nothing (the fleet's own idle cost, the
 * yardstick subtracted from the others), the previous reader (collectLag every 100 ms: a new
 * session per node per round), the LagWatcher at its base interval (a replica near the limit),
 * and the LagWatcher while the whole fleet is far below the limit (the interval adapts).
 */
async function benchThrottle(dataDirs, topology) {
  const { collectLag } = require('../dist/src/replication/lag/collect');
  const { LagWatcher } = require('../dist/src/backfill/replica-lag');
  const rows = [];
  rows.push(await measure('idle fleet, no polling (yardstick)', dataDirs, async () => (await sleep(100), 0)));
  rows.push(await measure('collectLag every 100 ms (new sessions each round, the reader before #15)', dataDirs, async () => {
    const t = Date.now();
    await collectLag(topology, { connectTimeoutMs: 2000, statementTimeoutMs: 2000 });
    await sleep(Math.max(0, 100 - (Date.now() - t)));
    return 1;
  }));
  for (const [label, limit] of [['LagWatcher, a replica near the limit (100 ms rounds)', undefined], ['LagWatcher, fleet far below --max-replica-lag 10s (adaptive)', { seconds: 10, bytes: null }]]) {
    const watcher = new LagWatcher(topology, { baseIntervalMs: 100, limit });
    await watcher.read();
    const before = watcher.polls;
    const row = await measure(label, dataDirs, async () => (await watcher.read(), await sleep(50), 0));
    row.rounds = watcher.polls - before;
    row.interval = watcher.intervalMs;
    await watcher.stop();
    rows.push(row);
  }
  const idle = rows[0].serverPct;
  // The client is this process running the throttle's reader, as `backfill run` does: its CPU per
  // minute of polling is what the throttle adds to a backfill; per round, what one poll of every node costs.
  console.log(`\n| throttle reader, ${topology.replicas.length + 1} nodes, ${POLL_SECONDS} s each | rounds/s | client CPU (% of one core) | client CPU s per minute | client CPU ms per round | fleet servers' CPU above idle (% of one core) |`);
  console.log('|---|---:|---:|---:|---:|---:|');
  for (const r of rows) {
    const extra = r === rows[0] ? `${f1(idle)} (idle)` : f1(r.serverPct - idle);
    const perRound = r.rounds > 0 ? f1((r.clientCpu * 1000) / r.rounds) : '–';
    console.log(`| ${r.label}${r.interval ? ` (interval at end ${r.interval} ms)` : ''} | ${f1(r.rounds / r.seconds)} | ${f1(r.clientPct)} | ${((r.clientCpu / r.seconds) * 60).toFixed(2)} | ${perRound} | ${extra} |`);
  }
}

async function main() {
  const t0 = Date.now();
  const pg = await startCluster({ settings: FLEET_NODE_SETTINGS });
  try {
    const fleet = await startFleet(pg, { replicas: REPLICAS });
    const startSeconds = (Date.now() - t0) / 1000;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-bench-fleet-'));
    const regions = ['eu-west', 'us-east'];
    const config = {
      topology: {
        primary: pg.primary.url,
        replicas: fleet.nodes.map((n, i) => ({ name: n.name, url: n.url, upstream: n.upstream, region: regions[i % 2], tier: n.depth === 3 ? 'read' : 'relay' })),
      },
    };
    fs.writeFileSync(path.join(dir, 'dbops.config.json'), JSON.stringify(config, null, 2));
    fs.writeFileSync(path.join(dir, 'primary-only.json'), JSON.stringify({ topology: { primary: pg.primary.url } }));
    const load = os.loadavg().map(f1).join(', ');
    console.log(`fleet: 1 primary + ${fleet.nodes.length} replicas started in ${f1(startSeconds)} s; load average ${load}; Node ${process.version}`);

    const rows = [];
    for (const report of ['lag', 'connections']) {
      const fleetRun = await timeCommand(`report ${report}, ${fleet.nodes.length + 1} nodes`, ['report', report], dir);
      const one = await timeCommand(`report ${report}, primary only`, ['report', report, '--config', 'primary-only.json'], dir);
      rows.push(fleetRun, one);
      if (args.includes('--show')) console.log(fleetRun.last.out);
      console.log(`${fleetRun.label}: warm ${fleetRun.warmMs.toFixed(0)} ms vs ${one.warmMs.toFixed(0)} ms for one node (×${(fleetRun.warmMs / one.warmMs).toFixed(2)})`);
    }
    // The collection alone, in this process (no Node start-up, no module loading): what --watch pays per redraw.
    const { collectLag } = require('../dist/src/replication/lag/collect');
    const { collectConnections } = require('../dist/src/reports/connections/collect');
    const { resolveTopology: resolve } = require('../dist/src/replication/topology');
    const fleetTopology = resolve({}, config);
    const primaryOnly = resolve({ primary: pg.primary.url });
    const inProcess = async (label, fn) => {
      await fn();
      const ms = [];
      for (let i = 0; i < REPS; i++) {
        const t = process.hrtime.bigint();
        await fn();
        ms.push(Number(process.hrtime.bigint() - t) / 1e6);
      }
      return { label, ms: median(ms) };
    };
    const collections = [
      await inProcess(`collectLag, ${fleet.nodes.length + 1} nodes`, () => collectLag(fleetTopology)),
      await inProcess('collectLag, primary only', () => collectLag(primaryOnly)),
      await inProcess(`collectConnections, ${fleet.nodes.length + 1} nodes`, () => collectConnections(fleetTopology)),
      await inProcess('collectConnections, primary only', () => collectConnections(primaryOnly)),
    ];
    console.log(`\n| collection in one process (warm, median of ${REPS}) | wall |`);
    console.log('|---|---:|');
    for (const c of collections) console.log(`| \`${c.label}\` | ${c.ms.toFixed(0)} ms |`);

    console.log('\n| command | cold wall | warm wall (median of %d) | peak RSS (warm) |', REPS);
    console.log('|---|---:|---:|---:|');
    for (const r of rows) console.log(`| \`dbops ${r.label}\` | ${r.cold.ms.toFixed(0)} ms | ${r.warmMs.toFixed(0)} ms | ${f1(r.warmRss)} MB |`);

    const { resolveTopology } = require('../dist/src/replication/topology');
    await benchThrottle([pg.primary.dataDir, ...fleet.nodes.map((n) => n.dataDir)], resolveTopology({}, config));
    fs.rmSync(dir, { recursive: true, force: true });
  } finally {
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
