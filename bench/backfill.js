#!/usr/bin/env node
/**
 * dbops backfill benchmark (build first: npx tsc -p tsconfig.json).
 *
 *   node bench/backfill.js [--rows 1000000] [--big 3000000] [--reps 5] [--skip-big] [--skip-throughput] [--skip-lag]
 *
 * Starts a throwaway primary + streaming standby (shared_buffers 512MB), then prints:
 *  1. throughput: one UPDATE of every row vs `dbops backfill run` (defaults, unthrottled) on an
 *     identical copy of the table, alternated --reps times (the machine is shared) — the ratio of
 *     their rates per repetition and the median (target ≥ 0.9), and the CPU each side cost (the
 *     primary's server processes, plus the CLI for the backfill), which the shared machine's load moves far less;
 *  2. the longest time any batch held its row locks (first row lock to end of COMMIT, target ≤ 200 ms);
 *  3. time per 1,000 rows for each tenth of the table, first vs last (keyset: flat);
 *  4. peak RSS of the CLI for --rows vs --big rows (flat);
 *  5. with --max-replica-lag 1s while replay on the standby is paused and resumed: the highest
 *     replay lag of the standby at the moment a batch committed (target ≤ 1 s + one batch), measured
 *     by the bench itself from WAL positions (the time since the primary wrote what the standby has
 *     replayed), not with the reader the runner uses.
 */
const { spawn } = require('node:child_process');
const path = require('node:path');
const { startCluster } = require('../dist/src/testing/cluster');
const { parseLsn } = require('../dist/src/replication/lsn');
const { serversCpu } = require('./proc-cpu');

const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const ROWS = opt('--rows', 1_000_000);
const BIG = opt('--big', 3_000_000);
const REPS = opt('--reps', 5);
const BIN = path.join(__dirname, '..', 'bin', 'run.js');
const fmt = (n) => Math.round(n).toLocaleString('en-US');

function runCli(cliArgs, { onLine, timed } = {}) {
  return new Promise((resolve, reject) => {
    const argv = timed ? ['-f', '%M %U %S', process.execPath, BIN, ...cliArgs] : [BIN, ...cliArgs];
    const child = spawn(timed ? '/usr/bin/time' : process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    let partial = '';
    child.stdout.on('data', (d) => {
      out += d;
      partial += d;
      const lines = partial.split('\n');
      partial = lines.pop();
      if (onLine) lines.forEach((l) => l.startsWith('{') && onLine(JSON.parse(l)));
    });
    child.stderr.on('data', (d) => (err += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err, child }));
  });
}

/**
 * The primary's server CPU once the session that just ended has been reaped: a backend read
 * neither alive nor yet in the postmaster's cutime would go uncounted.
 */
async function reapedServersCpu(pg) {
  await new Promise((r) => setTimeout(r, 1000));
  return serversCpu([pg.primary.dataDir]);
}

async function makeTable(pg, name, rows) {
  await pg.psql(pg.primary, `DROP TABLE IF EXISTS ${name};
    CREATE TABLE ${name} (id bigint PRIMARY KEY, counter int NOT NULL DEFAULT 0, payload text NOT NULL) WITH (autovacuum_enabled = off);
    INSERT INTO ${name} SELECT g, 0, md5(g::text) FROM generate_series(1, ${rows}) g;`);
  await pg.psql(pg.primary, `VACUUM ANALYZE ${name}`);
  await settle(pg);
}

/** Lets the standbys replay everything and checkpoints, so one phase's aftermath does not slow the next. */
async function settle(pg, vacuum = []) {
  for (const t of vacuum) await pg.psql(pg.primary, `VACUUM ${t}`);
  const deadline = Date.now() + 120_000;
  for (;;) {
    const behind = await pg.psql(pg.primary, 'SELECT count(*) FROM pg_stat_replication WHERE replay_lsn IS DISTINCT FROM pg_current_wal_lsn()');
    const cascade = await pg.psql(pg.standby, 'SELECT count(*) FROM pg_stat_replication WHERE replay_lsn IS DISTINCT FROM pg_last_wal_receive_lsn()');
    if ((behind === '0' && cascade === '0') || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  await pg.psql(pg.primary, 'CHECKPOINT');
}

async function backfill(pg, table, extra = [], opts = {}) {
  const events = [];
  const serverBefore = serversCpu([pg.primary.dataDir]);
  const started = Date.now();
  const r = await runCli(['backfill', 'run', '--url', pg.primary.url, '--table', table, '--set', 'counter = counter + 1', '--format', 'json', ...extra], {
    ...opts,
    onLine: (e) => {
      events.push(e);
      opts.onEvent?.(e);
    },
  });
  const seconds = (Date.now() - started) / 1000;
  if (r.code !== 0) throw new Error(`backfill exited ${r.code}: ${r.err}`);
  const [rss, user, sys] = opts.timed ? r.err.trim().split('\n').pop().split(' ').map(Number) : [null, 0, 0];
  return { seconds, events, batches: events.filter((e) => e.event === 'batch'), rssKb: rss, cliCpu: user + sys, serverCpu: (await reapedServersCpu(pg)) - serverBefore };
}

const POSITION_BATCH = 20_000;
const POSITION_REPS = 9;

/** One batch (the runner's own two statements: bounds, then the UPDATE) at the start, middle and end of the table, rolled back, alternating. */
async function batchTimeByPosition(pg, table, rows) {
  const { Client } = require('pg');
  const { resolveTarget } = require('../dist/src/backfill/target');
  const { batchBounds, boundsBatch, setBatch } = require('../dist/src/backfill/batch-sql');
  const client = new Client({ connectionString: pg.primary.url });
  await client.connect();
  try {
    const target = await resolveTarget(client, table);
    const positions = [0, Math.floor(rows / 2), rows - POSITION_BATCH];
    const times = positions.map(() => []);
    const update = setBatch(target, 'counter = counter + 1', undefined);
    const batch = async (pos, explain = '') => {
      const st = boundsBatch(target, [String(pos)], POSITION_BATCH);
      const { rows: b } = await client.query(`${explain}${st.text}`, st.values);
      const bounds = explain ? null : batchBounds(target, b[0]);
      const { rows: u } = await client.query(`${explain}${update}`, bounds ? [...bounds.first, ...bounds.last] : [String(pos + 1), String(pos + POSITION_BATCH)]);
      return explain ? [b, u].map((plan) => plan[0]['QUERY PLAN'][0].Plan).reduce((n, top) => n + top['Shared Hit Blocks'] + top['Shared Read Blocks'], 0) : 0;
    };
    for (let rep = 0; rep < POSITION_REPS; rep++) {
      for (const [i, pos] of positions.entries()) {
        await client.query('BEGIN');
        const t0 = process.hrtime.bigint();
        await batch(pos);
        times[i].push(Number(process.hrtime.bigint() - t0) / 1e6);
        await client.query('ROLLBACK');
      }
    }
    // Buffers are the machine-independent figure: the pages one batch touches at each position.
    const buffers = [];
    for (const pos of positions) {
      await client.query('BEGIN');
      buffers.push(await batch(pos, 'EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) '));
      await client.query('ROLLBACK');
    }
    return positions.map((pos, i) => [pos, times[i].sort((a, b) => a - b)[Math.floor(POSITION_REPS / 2)], buffers[i]]);
  } finally {
    await client.end();
  }
}

function reportThroughput(runs, singleRuns, check) {
  const b = runs.reduce((best, r) => (r.seconds < best.seconds ? r : best));
  const singles = singleRuns.map((s) => s.seconds);
  const single = Math.min(...singles);
  console.log(`\n1. throughput (${fmt(ROWS)} rows, each backfill updated every row exactly once: ${check} rows at counter = ${REPS})`);
  console.log(`   single UPDATE:         ${singles.map((x) => x.toFixed(2)).join(' s, ')} s  → best ${single.toFixed(2)} s (${fmt(ROWS / single)} rows/s)`);
  console.log(`   dbops backfill (CLI):  ${runs.map((r) => r.seconds.toFixed(2)).join(' s, ')} s  → best ${b.seconds.toFixed(2)} s (${fmt(ROWS / b.seconds)} rows/s), ${b.batches.length} batches, final batch size ${fmt(b.batches.at(-1).nextBatchSize)}`);
  const inBatches = b.batches.reduce((a, x) => a + x.lockMs, 0) / 1000;
  const runner = b.events.find((e) => e.event === 'done').seconds;
  console.log(`   best run: runner ${runner.toFixed(2)} s (batch transactions ${inBatches.toFixed(2)} s), CLI start-up and preparation ${(b.seconds - runner).toFixed(2)} s`);
  // Each repetition runs on a table one more VACUUMed update older (later ones leave room for HOT
  // updates), so the pairs are compared, not the best of each side.
  const pairs = runs.map((r, i) => singles[i] / r.seconds);
  const runnerPairs = runs.map((r, i) => singles[i] / r.events.find((e) => e.event === 'done').seconds);
  const median = (xs) => {
    const sorted = [...xs].sort((x, y) => x - y);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  };
  console.log(`   ratio backfill/single per repetition: ${pairs.map((x) => x.toFixed(2)).join(', ')} whole CLI; ${runnerPairs.map((x) => x.toFixed(2)).join(', ')} runner only`);
  console.log(`   median ratio: ${median(pairs).toFixed(2)} whole CLI, ${median(runnerPairs).toFixed(2)} runner only  (target ≥ 0.9)`);
  // CPU moves far less with the machine's load than wall time: the work each side cost.
  const cpu = runs.map((r) => r.serverCpu + r.cliCpu);
  console.log(`   CPU (primary's server processes; + the CLI for the backfill): single UPDATE ${singleRuns.map((s) => s.serverCpu.toFixed(2)).join(' s, ')} s; backfill ${runs.map((r) => `${r.serverCpu.toFixed(2)} + ${r.cliCpu.toFixed(2)}`).join(' s, ')} s`);
  const cpuPairs = runs.map((r, i) => singleRuns[i].serverCpu / cpu[i]);
  console.log(`   CPU ratio single/backfill per repetition: ${cpuPairs.map((x) => x.toFixed(2)).join(', ')} (median ${median(cpuPairs).toFixed(2)})`);
}

function perThousand(batches) {
  const ms = batches.reduce((a, b) => a + b.ms, 0);
  const rows = batches.reduce((a, b) => a + b.scanned, 0);
  return (1000 * ms) / rows;
}

async function main() {
  console.log(`dbops backfill benchmark: ${fmt(ROWS)} rows (big: ${fmt(BIG)}), node ${process.version}`);
  // The harness's 32MB shared_buffers keeps tests light; a server that holds the table is the fairer comparison.
  const pg = await startCluster({ standbys: true, settings: { wal_receiver_status_interval: '1s', max_wal_size: '4GB', checkpoint_timeout: '30min', shared_buffers: "'512MB'" } });
  try {
    // 1-3. Throughput, lock hold time, flat batches.
    await makeTable(pg, 'bench_single', ROWS);
    await makeTable(pg, 'bench_batched', ROWS);
    // The machine is shared: alternate the two, REPS times each, and compare the best of each.
    const runs = [];
    const singles = [];
    for (let rep = 1; rep <= (args.includes('--skip-throughput') ? 0 : REPS); rep++) {
      runs.push(await backfill(pg, 'bench_batched', ['--name', `throughput-${rep}`], { timed: true }));
      await settle(pg, ['bench_batched']);
      const serverBefore = serversCpu([pg.primary.dataDir]);
      const t0 = Date.now();
      await pg.psql(pg.primary, 'UPDATE bench_single SET counter = counter + 1');
      const seconds = (Date.now() - t0) / 1000;
      singles.push({ seconds, serverCpu: (await reapedServersCpu(pg)) - serverBefore });
      await settle(pg, ['bench_single']);
    }
    if (runs.length === 0) {
      runs.push(await backfill(pg, 'bench_batched', ['--name', 'warm-up'], { timed: true }));
      console.log(`\n1. throughput skipped; one backfill of ${fmt(ROWS)} rows for the figures below: ${runs[0].seconds.toFixed(2)} s`);
    } else {
      reportThroughput(runs, singles, await pg.psql(pg.primary, `SELECT count(*) FILTER (WHERE counter = ${REPS}) || '/' || count(*) FROM bench_batched`));
    }
    const b = runs.reduce((best, r) => (r.seconds < best.seconds ? r : best));
    const lock = b.batches.reduce((m, x) => Math.max(m, x.lockMs), 0);
    const sorted = b.batches.map((x) => x.lockMs).sort((x, y) => x - y);
    const pct = (p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))].toFixed(1);
    console.log(`\n2. longest row-lock hold of any batch: ${lock.toFixed(1)} ms (p50 ${pct(0.5)} ms, p95 ${pct(0.95)} ms, ${sorted.filter((x) => x > 200).length} of ${sorted.length} over 200 ms; default --target-batch-time; target ≤ 200 ms)`);
    const steady = b.batches.slice(3);
    const tenth = Math.max(1, Math.floor(steady.length / 10));
    const deciles = Array.from({ length: 10 }, (_, i) => perThousand(steady.slice(i * tenth, i === 9 ? undefined : (i + 1) * tenth)));
    console.log(`\n3. time per 1,000 rows (the batch's bounds and UPDATE), by tenth of the table after the 3 ramp-up batches: ${deciles.map((d) => d.toFixed(2)).join(', ')} ms`);
    console.log(`   first tenth ${deciles[0].toFixed(2)} ms, last tenth ${deciles[9].toFixed(2)} ms (one run, the standbys replaying alongside)`);
    const atPosition = await batchTimeByPosition(pg, 'bench_batched', ROWS);
    console.log(`   the same batch (bounds and UPDATE), ${fmt(POSITION_BATCH)} keys, rolled back, alternating positions ×${POSITION_REPS} (median): ${atPosition.map(([pos, ms]) => `after key ${fmt(pos)}: ${ms.toFixed(1)} ms`).join(', ')}`);
    console.log(`   shared buffers one such batch touches: ${atPosition.map(([pos, , buf]) => `after key ${fmt(pos)}: ${fmt(buf)}`).join(', ')}`);

    // 4. Peak RSS, small vs big.
    if (!args.includes('--skip-big')) {
      await pg.psql(pg.primary, 'DROP TABLE bench_single');
      await makeTable(pg, 'bench_big', BIG);
      const big = await backfill(pg, 'bench_big', [], { timed: true });
      console.log(`\n4. peak RSS of the CLI: ${fmt(ROWS)} rows ${(b.rssKb / 1024).toFixed(1)} MB, ${fmt(BIG)} rows ${(big.rssKb / 1024).toFixed(1)} MB (${big.seconds.toFixed(1)} s, ${fmt(BIG / big.seconds)} rows/s)`);
      await pg.psql(pg.primary, 'DROP TABLE bench_big');
    }

    // 5. Lag-aware: pause replay twice while a backfill with --max-replica-lag 1s runs.
    if (!args.includes('--skip-lag')) {
      // Measured independently of replay_lag (which keeps its last value for a status interval):
      // the standby's replay position vs the moment the primary had written that far.
      const { Client } = require('pg');
      const primaryClient = new Client({ connectionString: pg.primary.url });
      const standbyClient = new Client({ connectionString: pg.standby.url });
      await primaryClient.connect();
      await standbyClient.connect();
      const written = []; // [time, lsn] on the primary
      const samples = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          const at = Date.now();
          const [p, s] = await Promise.all([
            primaryClient.query('SELECT pg_current_wal_lsn()::text AS lsn'),
            standbyClient.query('SELECT pg_last_wal_replay_lsn()::text AS lsn'),
          ]);
          written.push([at, parseLsn(p.rows[0].lsn)]);
          const replayed = parseLsn(s.rows[0].lsn);
          // Behind by the time since the primary first wrote past what the standby has replayed.
          const firstUnreplayed = written.find(([, lsn]) => lsn > replayed);
          samples.push({ at, seconds: firstUnreplayed ? (at - firstUnreplayed[0]) / 1000 : 0 });
          await new Promise((r) => setTimeout(r, 20));
        }
      })();
      const standby = (sql) => pg.psql(pg.standby, sql);
      const script = (async () => {
        for (const [pauseAfter, holdFor] of [[1000, 4000], [1500, 3000]]) {
          await new Promise((r) => setTimeout(r, pauseAfter));
          await standby('SELECT pg_wal_replay_pause()');
          await new Promise((r) => setTimeout(r, holdFor));
          await standby('SELECT pg_wal_replay_resume()');
        }
      })();
      const run = await backfill(pg, 'bench_batched', ['--name', 'lag-run', '--max-replica-lag', '1s', '--max-batch-size', '20000']);
      await script;
      sampling = false;
      await sampler;
      await primaryClient.end();
      await standbyClient.end();
      const lagAtCommit = run.batches.map((x) => {
        const at = Date.parse(x.at);
        const before = samples.filter((s) => s.at <= at).at(-1);
        return before ? before.seconds : 0;
      });
      const pauses = run.events.filter((e) => e.event === 'pause');
      const maxBatch = run.batches.reduce((m, x) => Math.max(m, x.lockMs), 0);
      console.log(`\n5. --max-replica-lag 1s, replay paused twice (4 s, 3 s): ${pauses.length} pause events, e.g. "${pauses[0]?.reason}"`);
      console.log(`   highest standby1 replay lag when a batch committed: ${Math.max(...lagAtCommit).toFixed(2)} s (longest batch ${maxBatch.toFixed(0)} ms; target ≤ 1 s + one batch)`);
      console.log(`   highest lag seen at all (grows while replay is paused and nothing can replay): ${Math.max(...samples.map((s) => s.seconds)).toFixed(2)} s; run took ${run.seconds.toFixed(1)} s`);
    }
  } finally {
    await pg.stop();
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
