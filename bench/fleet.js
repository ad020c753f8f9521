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
 *  2. the backfill throttle (LagWatcher, as `backfill run --max-replica-lag` uses it) polling
 *     every node for --poll-seconds: polls done, client CPU per second of polling, and the CPU
 *     the polled servers' backends spent (from /proc), against a process that sleeps as long.
 */
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startCluster } = require('../dist/src/testing/cluster');
const { startFleet, FLEET_NODE_SETTINGS } = require('../dist/src/testing/fleet');

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

/** utime + stime of a process, in seconds, from /proc (Linux). */
function cpuSecondsOf(pid) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // clock ticks (CLK_TCK = 100 on Linux)
  } catch {
    return 0;
  }
}

async function benchThrottle(pg, fleet, topology) {
  const { LagWatcher } = require('../dist/src/backfill/replica-lag');
  const watcher = new LagWatcher(topology, { baseIntervalMs: 100 });
  try {
    await watcher.read();
    const pids = await watcher.backendPids();
    const serverBefore = pids.reduce((s, p) => s + cpuSecondsOf(p), 0);
    const before = process.cpuUsage();
    const pollsBefore = watcher.polls;
    const started = Date.now();
    while (Date.now() - started < POLL_SECONDS * 1000) {
      await watcher.read();
      await new Promise((r) => setTimeout(r, 50));
    }
    const seconds = (Date.now() - started) / 1000;
    const used = process.cpuUsage(before);
    const serverCpu = pids.reduce((s, p) => s + cpuSecondsOf(p), 0) - serverBefore;
    return {
      polls: watcher.polls - pollsBefore,
      seconds,
      clientCpuPct: ((used.user + used.system) / 1e6 / seconds) * 100,
      serverCpuPct: (serverCpu / seconds) * 100,
      nodes: pids.length,
      interval: watcher.intervalMs,
    };
  } finally {
    await watcher.stop();
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
    console.log('\n| command | cold wall | warm wall (median of %d) | peak RSS (warm) |', REPS);
    console.log('|---|---:|---:|---:|');
    for (const r of rows) console.log(`| \`dbops ${r.label}\` | ${r.cold.ms.toFixed(0)} ms | ${r.warmMs.toFixed(0)} ms | ${f1(r.warmRss)} MB |`);

    const { resolveTopology } = require('../dist/src/replication/topology');
    const throttle = await benchThrottle(pg, fleet, resolveTopology({}, config));
    console.log(`\nthrottle: ${throttle.polls} polls of ${throttle.nodes} nodes in ${f1(throttle.seconds)} s (interval now ${throttle.interval} ms); client CPU ${f1(throttle.clientCpuPct)} % of one core; polled backends ${f1(throttle.serverCpuPct)} % of one core in all`);
    fs.rmSync(dir, { recursive: true, force: true });
  } finally {
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exitCode = 1;
});
