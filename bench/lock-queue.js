#!/usr/bin/env node
// The lock-queue effect, measured: one session holds a lock on a table in a long transaction, an
// ALTER TABLE arrives, and a reader loop keeps SELECTing from the same table. Without a lock
// timeout the waiting ALTER queues every reader behind it for as long as the long transaction
// lasts; `dbops migrate` caps that at its lock timeout, backs off, and applies the ALTER once the
// blocker is gone.
//
//   npm run build && node bench/lock-queue.js [--hold 8s] [--lock-timeout 5s]
//
// Prints, for dbops migrate and for the same ALTER sent with psql (no lock timeout): the worst
// reader stall, failed reads, and when the ALTER was applied relative to the blocker's commit.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');
const { startCluster, PG_BIN } = require('../dist/src/testing/cluster');
const { parseDuration } = require('../dist/src/util/duration');

const ROOT = path.resolve(__dirname, '..');
const args = process.argv.slice(2);
const flag = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : fallback;
};
const HOLD_MS = parseDuration(flag('--hold', '8s'));
const LOCK_TIMEOUT = flag('--lock-timeout', '5s');
const READ_INTERVAL_MS = 20;

async function connect(url, applicationName) {
  const c = new Client({ connectionString: url, application_name: applicationName });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** SELECTs in a loop, recording each latency, until stop() is called. */
function readerLoop(client) {
  const latencies = [];
  let failed = 0;
  let running = true;
  const done = (async () => {
    let id = 1;
    while (running) {
      const t = process.hrtime.bigint();
      try {
        await client.query('SELECT name FROM accounts WHERE id = $1', [id]);
      } catch {
        failed++;
      }
      latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
      id = (id % 10_000) + 1;
      await new Promise((r) => setTimeout(r, READ_INTERVAL_MS));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await done;
      const sorted = [...latencies].sort((a, b) => a - b);
      return { reads: latencies.length, failed, worst: sorted[sorted.length - 1] ?? 0, p50: sorted[Math.floor(sorted.length / 2)] ?? 0 };
    },
  };
}

/** One session holds AccessShareLock (an open transaction that read the table) for HOLD_MS. */
async function holdBlocker(url) {
  const c = await connect(url, 'long-report');
  await c.query('BEGIN');
  await c.query('SELECT count(*) FROM accounts');
  const started = Date.now();
  const committed = new Promise((resolve) =>
    setTimeout(async () => {
      await c.query('COMMIT');
      const at = Date.now();
      await c.end();
      resolve(at);
    }, HOLD_MS),
  );
  return { started, committed };
}

function run(cmd, argv, env, cwd) {
  return new Promise((resolve) => {
    const child = spawn(cmd, argv, { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out, at: Date.now() }));
  });
}

async function scenario(name, url, apply, column) {
  const reader = await connect(url, 'reader-loop');
  const loop = readerLoop(reader);
  await new Promise((r) => setTimeout(r, 300));
  const blocker = await holdBlocker(url);
  await new Promise((r) => setTimeout(r, 200));
  const result = await apply();
  const committedAt = await blocker.committed;
  await new Promise((r) => setTimeout(r, 300));
  const stats = await loop.stop();
  const applied = (await reader.query('SELECT count(*)::int AS n FROM information_schema.columns WHERE table_name = $1 AND column_name = $2', ['accounts', column])).rows[0].n === 1;
  await reader.end();
  return { name, ...stats, applied, appliedAfterBlockerMs: result.at - committedAt, exit: result.code, output: result.out };
}

async function main() {
  console.log(`lock-queue: blocker holds AccessShareLock for ${HOLD_MS / 1000} s; reader SELECTs every ${READ_INTERVAL_MS} ms; dbops --lock-timeout ${LOCK_TIMEOUT}`);
  const cluster = await startCluster();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-bench-'));
  try {
    const url = cluster.primary.url;
    await cluster.psql(cluster.primary, "CREATE TABLE accounts (id int PRIMARY KEY, name text); INSERT INTO accounts SELECT g, 'n' || g FROM generate_series(1, 10000) g;");
    fs.mkdirSync(path.join(tmp, 'migrations'));
    fs.writeFileSync(path.join(tmp, 'migrations', '0001_add_note.sql'), 'ALTER TABLE accounts ADD COLUMN note text;\n');

    const dbops = await scenario(
      'dbops migrate',
      url,
      () => run(process.execPath, [path.join(ROOT, 'bin', 'run.js'), 'migrate', '--dir', 'migrations', '--url', url, '--lock-timeout', LOCK_TIMEOUT], { NO_COLOR: '1' }, tmp),
      'note',
    );
    const psql = await scenario(
      'psql, no lock timeout',
      url,
      () =>
        run(path.join(PG_BIN, 'psql'), ['-X', '-q', '-v', 'ON_ERROR_STOP=1', '-h', '127.0.0.1', '-p', String(cluster.primary.port), '-U', 'postgres', '-d', 'postgres', '-c', 'ALTER TABLE accounts ADD COLUMN note2 text'], {
          PGPASSWORD: 'dbops-test-password',
        }),
      'note2',
    );

    const lockTimeoutMs = parseDuration(LOCK_TIMEOUT);
    console.log('');
    console.log('| run | reads | failed reads | worst reader stall | median read | ALTER applied | applied after blocker commit |');
    console.log('|---|---|---|---|---|---|---|');
    for (const r of [dbops, psql]) {
      console.log(`| ${r.name} | ${r.reads} | ${r.failed} | ${(r.worst / 1000).toFixed(3)} s | ${r.p50.toFixed(1)} ms | ${r.applied ? 'yes' : 'NO'} (exit ${r.exit}) | ${(Math.max(0, r.appliedAfterBlockerMs) / 1000).toFixed(2)} s |`);
    }
    // The ALTER cannot finish before the blocker commits; allow for the two clocks being read apart.
    const ok = dbops.worst <= lockTimeoutMs + 250 && dbops.failed === 0 && dbops.applied && dbops.appliedAfterBlockerMs > -100;
    console.log('');
    console.log(`target (worst stall <= ${(lockTimeoutMs + 250) / 1000} s, 0 failed reads, applied after the blocker ends): ${ok ? 'met' : 'NOT met'}`);
    console.log('');
    console.log('dbops migrate output:');
    console.log(dbops.output.trim().replace(/^/gm, '  '));
    process.exitCode = ok ? 0 : 1;
  } finally {
    await cluster.stop();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
