#!/usr/bin/env node
/**
 * dbops at fleet scale (build first: npx tsc -p tsconfig.json).
 *
 *   node bench/fleet.js [--replicas 50] [--reps 5] [--poll-seconds 20] [--watch-redraws 300] [--show] [--baseline DIR]
 *
 * Starts one primary and a fleet of replicas (4 direct standbys, 12 intermediates, the rest leaves
 * under them: src/testing/fleet.ts), writes a dbops.config.json describing it, then prints:
 *  1. `dbops report lag` and `dbops report connections` over the whole fleet, through the real
 *     CLI: wall time and peak RSS, cold (first run) and warm (median of --reps), run in turns
 *     with their yardsticks so that all of them see the same load: `node -e 0` (process
 *     start-up), a plain node-postgres script that opens one session per node, 16 at a time,
 *     sends SELECT 1 and closes it (the least any Node tool pays to hear from every node), one
 *     psql per node all in parallel, and the same report over the primary alone. The ratio to
 *     the connection yardstick is the figure that survives the machine's load. --baseline DIR
 *     adds the two reports run by another built checkout (DIR/bin/run.js), e.g. an older commit;
 *  2. `report lag --watch` memory: the heap (after a forced GC) and RSS after 10, 100, 300,
 *     1000 … and --watch-redraws redraws of the whole fleet at a 100 ms interval, in a child process;
 *  3. the backfill throttle polling every node for --poll-seconds, side by side: the idle fleet
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
const { PG_BIN } = require('../dist/src/testing/cluster');
const { serversCpu: fleetCpu } = require('./proc-cpu');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const REPLICAS = opt('--replicas', 50);
const REPS = opt('--reps', 5);
const POLL_SECONDS = opt('--poll-seconds', 20);
const WATCH_REDRAWS = opt('--watch-redraws', 300);
const BIN = path.join(__dirname, '..', 'bin', 'run.js');
const BASELINE = args.includes('--baseline') ? path.resolve(args[args.indexOf('--baseline') + 1]) : undefined;

/** Runs argv under GNU time: wall time, peak RSS, exit code, output. */
function timeProcess(argv, cwd) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn('/usr/bin/time', ['-f', '%M', ...argv], { cwd, stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, NO_COLOR: '1' } });
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

/** One psql per node, all started at once: wall time until the last one exits. */
function psqlEach(urls) {
  const started = process.hrtime.bigint();
  const psql = path.join(PG_BIN, 'psql');
  return Promise.all(urls.map((url) => new Promise((resolve, reject) => {
    const child = spawn(psql, ['-Atqc', 'SELECT 1', url], { stdio: 'ignore' });
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`psql exited with ${code}`))));
  }))).then(() => ({ code: 0, out: '', ms: Number(process.hrtime.bigint() - started) / 1e6, rssMb: NaN }));
}

/** The connection yardstick: node-postgres as any Node program uses it, one session per node, 16 at a time, SELECT 1. */
const CONNECT_EACH = `
const { Client } = require(${JSON.stringify(require.resolve('pg'))});
const urls = process.argv.slice(1);
let next = 0;
const worker = async () => {
  while (next < urls.length) {
    const c = new Client({ connectionString: urls[next++] });
    await c.connect();
    await c.query('SELECT 1');
    await c.end();
  }
};
Promise.all(Array.from({ length: 16 }, worker)).catch((err) => { console.error(err.message); process.exit(1); });`;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const f1 = (n) => n.toFixed(1);
const f2 = (n) => n.toFixed(2);

/**
 * Runs every entry once in turn, REPS + 1 times (the first round is the cold one), so that a
 * change of load on this shared machine falls on all of them alike; medians of the warm rounds.
 */
async function inTurns(entries) {
  const runs = entries.map(() => []);
  for (let round = 0; round <= REPS; round++) {
    for (const [i, e] of entries.entries()) {
      const r = await e.run();
      if (r.code !== 0 && r.code !== 1 && r.code !== 2) throw new Error(`${e.label} failed (${r.code}): ${r.err}`);
      runs[i].push(r);
    }
  }
  return entries.map((e, i) => {
    const [cold, ...warm] = runs[i];
    return { ...e, cold, warmMs: median(warm.map((r) => r.ms)), warmRss: median(warm.map((r) => r.rssMb)), last: warm[warm.length - 1] };
  });
}

/**
 * In a child started with --expose-gc: `report lag --watch 100ms` over the fleet, as the command
 * runs it (runReport + produceLagReport), output discarded; prints the heap after a forced GC
 * and the RSS after redraws 10, 100, 300, 1000, … and --watch-redraws, as JSON.
 */
async function watchChild(configPath) {
  const { runReport } = require('../dist/src/reports/watch');
  const { produceLagReport } = require('../dist/src/reports/lag/report');
  const { parseLagThresholds } = require('../dist/src/reports/lag/evaluate');
  const { resolveTopology } = require('../dist/src/replication/topology');
  const topology = resolveTopology({}, JSON.parse(fs.readFileSync(configPath, 'utf8')));
  const thresholds = parseLagThresholds({ warn: '30s', critical: '5min' });
  const samples = [];
  let redraws = 0;
  const out = { isTTY: false, write: () => true };
  const started = Date.now();
  await runReport(async () => {
    if ([10, 100, 300, 1000, 3000, WATCH_REDRAWS].includes(redraws) && redraws <= WATCH_REDRAWS) {
      global.gc();
      const m = process.memoryUsage();
      samples.push({ redraws, heapMb: m.heapUsed / 1048576, rssMb: m.rss / 1048576, seconds: (Date.now() - started) / 1000 });
      if (redraws === WATCH_REDRAWS) process.emit('SIGINT');
    }
    redraws++;
    return produceLagReport(topology, thresholds, {}, 'text');
  }, { watchMs: 100, out });
  console.log(JSON.stringify(samples));
}

function benchWatch(configPath) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--expose-gc', __filename, '--watch-child', configPath, '--watch-redraws', String(WATCH_REDRAWS)], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`watch child exited with ${code}`))));
  });
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
    const load = () => os.loadavg().map(f1).join(', ');
    console.log(`fleet: 1 primary + ${fleet.nodes.length} replicas started in ${f1(startSeconds)} s; load average ${load()}; Node ${process.version}`);

    const nodes = fleet.nodes.length + 1;
    const urls = [pg.primary.url, ...fleet.nodes.map((n) => n.url)];
    const cli = (label, cliArgs, bin = BIN) => ({ label, run: () => timeProcess([process.execPath, bin, ...cliArgs], dir) });
    const baseline = (report) => cli(`dbops report ${report}, ${nodes} nodes, baseline ${path.basename(BASELINE)}`, ['report', report], path.join(BASELINE, 'bin', 'run.js'));
    const rows = await inTurns([
      { label: 'node -e 0 (process start-up)', run: () => timeProcess([process.execPath, '-e', '0'], dir) },
      { label: `node-postgres script: a session per node, ${nodes} nodes, SELECT 1 each (16 at a time)`, run: () => timeProcess([process.execPath, '-e', CONNECT_EACH, ...urls], dir), yardstick: true },
      { label: `psql -c 'SELECT 1' per node, ${nodes} at once`, run: () => psqlEach(urls) },
      cli(`dbops report lag, ${nodes} nodes`, ['report', 'lag']),
      cli('dbops report lag, primary only', ['report', 'lag', '--config', 'primary-only.json']),
      cli(`dbops report connections, ${nodes} nodes`, ['report', 'connections']),
      cli('dbops report connections, primary only', ['report', 'connections', '--config', 'primary-only.json']),
      ...(BASELINE ? [baseline('lag'), baseline('connections')] : []),
    ]);
    const yardstick = rows.find((r) => r.yardstick);
    if (args.includes('--show')) for (const r of rows.filter((x) => x.label.startsWith('dbops'))) console.log(r.last.out);
    console.log(`\n| in turns, fresh process each run (load average now ${load()}) | cold wall | warm wall (median of ${REPS}) | × the connection yardstick | peak RSS (warm) |`);
    console.log('|---|---:|---:|---:|---:|');
    for (const r of rows) {
      const rss = Number.isNaN(r.warmRss) ? '—' : `${f1(r.warmRss)} MB`;
      console.log(`| ${r.label.startsWith('dbops') ? `\`${r.label}\`` : r.label}${r.yardstick ? ' (the yardstick)' : ''} | ${r.cold.ms.toFixed(0)} ms | ${r.warmMs.toFixed(0)} ms | ${f2(r.warmMs / yardstick.warmMs)} | ${rss} |`);
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

    const watch = await benchWatch(path.join(dir, 'dbops.config.json'));
    console.log(`\n| \`report lag --watch 100ms\`, ${nodes} nodes (load average now ${load()}) | after | heap after GC | RSS |`);
    console.log('|---|---:|---:|---:|');
    for (const w of watch) console.log(`| redraw ${w.redraws} | ${f1(w.seconds)} s | ${f1(w.heapMb)} MB | ${f1(w.rssMb)} MB |`);

    const { resolveTopology } = require('../dist/src/replication/topology');
    if (POLL_SECONDS > 0) await benchThrottle([pg.primary.dataDir, ...fleet.nodes.map((n) => n.dataDir)], resolveTopology({}, config));
    fs.rmSync(dir, { recursive: true, force: true });
  } finally {
    await pg.stop();
  }
}

(args[0] === '--watch-child' ? watchChild(args[1]) : main()).catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
