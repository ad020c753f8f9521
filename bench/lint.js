#!/usr/bin/env node
// Benchmarks `dbops lint` (needs `npm run build`):
//   node bench/lint.js [--files 200] [--per-file 52] [--runs 21] [--corpus-runs 11] [--no-squawk]
//   node bench/lint.js --memory [--memory-files 200,800,3200]
// 1. generates a corpus of realistic migrations (deterministic) under .tmp/bench-lint/,
// 2. lints it in-process with the engine (statements/s, wall),
// 3. lints it through the CLI (wall, statements/s; CPU time of the child too, on Linux), and
//    on two threads and on one (DBOPS_LINT_THREADS=on / off), interleaved, reports checked identical,
// 4. times the CLI on one migration file (median of --runs, next to `node -e 0`),
// 5. if squawk's native binary can be had from npm (squawk-cli ships it in a platform package,
//    no install script), runs it on the same files and prints the ratios. It is installed into
//    .tmp/squawk, never as a project dependency. SQUAWK_BIN=/path/to/squawk uses another one.
// --memory instead lints corpora of growing size (--per-file statements per file) and prints, for
//    each, the live heap at the end of the lint (after a full GC, in-process through lintAndRender,
//    json format) and the CLI's peak RSS (GNU time, when /usr/bin/time exists): the live heap should
//    not grow with the files; peak RSS also follows V8's heap sizing.
const { spawnSync, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const WORK = path.join(ROOT, '.tmp', 'bench-lint');
const SQUAWK_VERSION = '2.66.0';

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

// --- corpus ---------------------------------------------------------------------------------

function prng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const TABLES = ['orders', 'customers', 'products', 'line_items', 'payments', 'shipments', 'invoices', 'carts', 'reviews', 'events'];
const TYPES = ['integer', 'bigint', 'text', 'varchar(100)', 'boolean', 'timestamptz', 'numeric(12,2)', 'jsonb', 'uuid'];

/** One migration of `count` statements, the mix real histories show: new tables, columns, indexes, constraints, data fixes. */
function migration(rand, fileNo, count) {
  const pick = (list) => list[Math.floor(rand() * list.length)];
  const out = [`-- migration ${fileNo}: generated for the dbops lint benchmark`, "SET lock_timeout = '2s';"];
  let n = 1;
  const own = `t${fileNo}_audit`;
  while (n < count) {
    const t = pick(TABLES);
    const c = `c${fileNo}_${n}`;
    const kind = Math.floor(rand() * 14);
    let sql;
    switch (kind) {
      case 0:
        sql = `CREATE TABLE IF NOT EXISTS ${own}_${n} (\n  id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,\n  ${t}_id bigint NOT NULL REFERENCES ${t} (id),\n  note text,\n  created_at timestamptz NOT NULL DEFAULT now()\n);`;
        break;
      case 1:
        sql = `ALTER TABLE ${t} ADD COLUMN ${c} ${pick(TYPES)};`;
        break;
      case 2:
        sql = `ALTER TABLE ${t} ADD COLUMN ${c} integer NOT NULL DEFAULT ${Math.floor(rand() * 100)};`;
        break;
      case 3:
        sql = `CREATE INDEX ${rand() < 0.6 ? 'CONCURRENTLY ' : ''}${t}_${c}_idx ON ${t} (${c}${rand() < 0.3 ? ', created_at DESC' : ''})${rand() < 0.2 ? ' WHERE deleted_at IS NULL' : ''};`;
        break;
      case 4:
        sql = `ALTER TABLE ${t} ALTER COLUMN ${c} TYPE ${pick(TYPES)}${rand() < 0.3 ? ` USING ${c}::text::${pick(['bigint', 'text'])}` : ''};`;
        break;
      case 5:
        sql = `ALTER TABLE ${t} ALTER COLUMN ${c} SET NOT NULL;`;
        break;
      case 6:
        sql = `ALTER TABLE ${t}\n  ADD CONSTRAINT ${t}_${c}_fkey FOREIGN KEY (${c}) REFERENCES ${pick(TABLES)} (id)${rand() < 0.5 ? ' NOT VALID' : ''};`;
        break;
      case 7:
        sql = `ALTER TABLE ${t} VALIDATE CONSTRAINT ${t}_${c}_check;`;
        break;
      case 8:
        sql = `UPDATE ${t} SET ${c} = 0 WHERE id BETWEEN ${n * 1000} AND ${n * 1000 + 999} AND ${c} IS NULL;`;
        break;
      case 9:
        sql = `INSERT INTO ${t} (name, created_at) VALUES ('seed ${fileNo}-${n}', now()) ON CONFLICT DO NOTHING;`;
        break;
      case 10:
        sql = `COMMENT ON COLUMN ${t}.${c} IS 'added by migration ${fileNo}';`;
        break;
      case 11:
        sql = `ALTER TABLE ${t} ADD CONSTRAINT ${t}_${c}_check CHECK (${c} >= 0) NOT VALID;`;
        break;
      case 12:
        sql = `DO $$\nBEGIN\n  IF NOT EXISTS (SELECT 1 FROM pg_type WHERE typname = 'status_${fileNo}_${n}') THEN\n    CREATE TYPE status_${fileNo}_${n} AS ENUM ('new', 'paid', 'shipped');\n  END IF;\nEND\n$$;`;
        break;
      default:
        sql = `ALTER TABLE ${t} DROP COLUMN IF EXISTS old_${c};`;
    }
    out.push(sql);
    n++;
  }
  return out.join('\n\n') + '\n';
}

function generateCorpus(files, perFile) {
  const dir = path.join(WORK, `corpus-${files}x${perFile}`);
  if (fs.existsSync(path.join(dir, '.complete'))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  fs.mkdirSync(dir, { recursive: true });
  const rand = prng(42);
  for (let i = 1; i <= files; i++) fs.writeFileSync(path.join(dir, `${String(i).padStart(4, '0')}_change_${i}.sql`), migration(rand, i, perFile));
  fs.writeFileSync(path.join(dir, '.complete'), '');
  return dir;
}

// --- timing helpers -------------------------------------------------------------------------

/**
 * CPU time (user + system, all threads) of this process's finished children, in ms, from
 * /proc/self/stat (Linux; undefined elsewhere). On a shared machine wall time mostly measures the
 * neighbours; CPU time measures the work, to the kernel's 10 ms tick.
 */
function childrenCpuMs() {
  try {
    const fields = fs.readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
    // cutime and cstime are fields 16 and 17 of stat(5); fields[0] here is field 3.
    return ((Number(fields[13]) + Number(fields[14])) * 1000) / 100;
  } catch {
    return undefined;
  }
}

/**
 * Runs a command with its standard output going to a file, read back afterwards. Through a pipe
 * into this process the reader sets the pace: squawk writes its 7 MB report a line at a time, and
 * read through spawnSync's pipe that took it from ~350 ms to ~620 ms, which made dbops look 1.4×
 * squawk when it was 2×. A file costs both tools the same and nothing of the reader.
 */
function timeRun(cmd, args, opts = {}) {
  const out = path.join(WORK, `stdout-${process.pid}`);
  const fd = fs.openSync(out, 'w');
  const cpuBefore = childrenCpuMs();
  const start = process.hrtime.bigint();
  let r;
  try {
    r = spawnSync(cmd, args, { stdio: ['ignore', fd, 'pipe'], encoding: 'utf8', ...opts });
  } finally {
    fs.closeSync(fd);
  }
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (r.error) throw r.error;
  const cpuMs = cpuBefore === undefined ? undefined : childrenCpuMs() - cpuBefore;
  const stdout = fs.readFileSync(out, 'utf8');
  fs.rmSync(out);
  return { ms, cpuMs, stdout, status: r.status };
}

/** " (CPU median N ms)" when CPU time could be read. */
function cpuNote(runs) {
  const values = runs.map((r) => r.cpuMs);
  return values.some((v) => v === undefined) ? '' : `, CPU median ${fmt(median(values))}`;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
}

function medianRun(runs, cmd, args, opts) {
  const times = [];
  for (let i = 0; i < runs; i++) times.push(timeRun(cmd, args, opts).ms);
  return { median: median(times), min: Math.min(...times) };
}

const fmt = (ms) => `${ms.toFixed(0)} ms`;

// --- in-process worker ------------------------------------------------------------------------

async function inProcessWorker(dir, liftoff) {
  if (liftoff) require('node:v8').setFlagsFromString('--liftoff-only');
  const { lintSources } = require(path.join(ROOT, 'dist/src/lint/engine'));
  const { loadParser } = require(path.join(ROOT, 'dist/src/sql/parser'));
  const { discoverMigrations } = require(path.join(ROOT, 'dist/src/migrations/discover'));
  const t0 = performance.now();
  await loadParser();
  const t1 = performance.now();
  const { migrations } = discoverMigrations([dir], { cwd: dir, read: true });
  const sources = migrations.map((m) => ({ path: path.basename(m.path), text: m.text }));
  const t2 = performance.now();
  const report = await lintSources(sources, { pgVersion: 15, maxLockTimeoutMs: 5000 });
  const t3 = performance.now();
  process.stdout.write(JSON.stringify({ loadMs: t1 - t0, readMs: t2 - t1, lintMs: t3 - t2, statements: report.statements, findings: report.findings.length }));
}

// --- squawk -----------------------------------------------------------------------------------

function findSquawk() {
  if (process.env.SQUAWK_BIN) return process.env.SQUAWK_BIN;
  const prefix = path.join(ROOT, '.tmp', 'squawk');
  const bin = path.join(prefix, 'node_modules', '.bin', 'squawk');
  if (!fs.existsSync(bin)) {
    fs.mkdirSync(prefix, { recursive: true });
    const r = spawnSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--ignore-scripts', `squawk-cli@${SQUAWK_VERSION}`], { encoding: 'utf8' });
    if (r.status !== 0 || !fs.existsSync(bin)) return undefined;
  }
  try {
    execFileSync(bin, ['--version'], { stdio: 'pipe' });
    return bin;
  } catch {
    return undefined;
  }
}

// --- main -------------------------------------------------------------------------------------

/** Live heap after a full GC once the engine is done with the last file (run with --expose-gc). */
async function liveHeapWorker(dir) {
  const { lintAndRender } = require(path.join(ROOT, 'dist/src/lint/run'));
  const { lintSources } = require(path.join(ROOT, 'dist/src/lint/engine'));
  let liveBytes = 0;
  const engine = async (sources, options, observed, sink) => {
    const report = await lintSources(sources, options, observed, sink);
    global.gc();
    liveBytes = process.memoryUsage().heapUsed;
    return report;
  };
  await lintAndRender({ paths: [dir], format: 'json', color: false, cwd: ROOT, options: { pgVersion: 15, maxLockTimeoutMs: 5000 } }, engine, { write() {}, warn() {} });
  process.stdout.write(JSON.stringify({ liveBytes }));
}

function memoryScaling(perFile) {
  const listed = process.argv.indexOf('--memory-files');
  const sizes = listed >= 0 ? process.argv[listed + 1].split(',').map(Number) : [200, 800, 3200];
  const dbops = path.join(ROOT, 'bin', 'run.js');
  const gnuTime = fs.existsSync('/usr/bin/time');
  console.log(`memory: corpora of ${sizes.join(', ')} files × ${perFile} statements; node ${process.version}`);
  for (const files of sizes) {
    const dir = generateCorpus(files, perFile);
    const live = JSON.parse(timeRun(process.execPath, ['--expose-gc', __filename, '--heap-worker', dir]).stdout).liveBytes;
    let rss = 'n/a (no /usr/bin/time)';
    if (gnuTime) {
      const r = spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, dbops, 'lint', dir, '--format', 'json'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'ignore', 'pipe'] });
      rss = `${(Number(r.stderr.trim().split('\n').pop()) / 1024).toFixed(0)} MB`;
    }
    console.log(`  ${String(files).padStart(5)} files: live heap at the end of the lint ${(live / 1e6).toFixed(1)} MB; CLI peak RSS ${rss}`);
  }
}

async function main() {
  if (process.argv[2] === '--worker') return inProcessWorker(process.argv[3], process.argv[4] === 'liftoff');
  if (process.argv[2] === '--heap-worker') return liveHeapWorker(process.argv[3]);
  if (process.argv.includes('--memory')) return memoryScaling(arg('per-file', 52));
  const files = arg('files', 200);
  const perFile = arg('per-file', 52);
  const runs = arg('runs', 21);
  const dir = generateCorpus(files, perFile);
  const corpusFiles = fs.readdirSync(dir).filter((f) => f.endsWith('.sql')).map((f) => path.join(dir, f));
  const oneFile = path.join(ROOT, 'examples', 'migrations', '0045_require_customer_email.sql');
  const dbops = path.join(ROOT, 'bin', 'run.js');
  // A bare `tsc` leaves the lint bundle stale, and the CLI then runs unbundled: say which is measured.
  const bundled = require(path.join(ROOT, 'dist/src/cli/lint-bundle')).loadLintBundle() ? 'the lint bundle' : 'NO lint bundle (npm run build makes it)';
  console.log(`corpus: ${corpusFiles.length} files under ${path.relative(ROOT, dir)}; node ${process.version}, ${require('node:os').cpus().length} cores; CLI runs ${bundled}`);

  for (const mode of ['liftoff', 'default']) {
    const samples = [];
    for (let i = 0; i < 3; i++) samples.push(JSON.parse(timeRun(process.execPath, [__filename, '--worker', dir, mode]).stdout));
    const lintMs = median(samples.map((s) => s.lintMs));
    const { statements } = samples[0];
    console.log(
      `in-process (${mode === 'liftoff' ? 'V8 --liftoff-only, as the CLI' : 'V8 default tiers'}): ${statements} statements in ${fmt(lintMs)} ` +
        `→ ${Math.round(statements / (lintMs / 1000))} statements/s (parser load ${fmt(median(samples.map((s) => s.loadMs)))}, median of 3)`,
    );
  }

  // dbops and squawk runs are interleaved so both see the same machine load (this box is shared).
  const squawk = process.argv.includes('--no-squawk') ? undefined : findSquawk();
  if (!squawk && !process.argv.includes('--no-squawk')) console.log(`squawk: not available (npm install squawk-cli@${SQUAWK_VERSION} failed); set SQUAWK_BIN to compare`);
  const corpusRuns = arg('corpus-runs', 11);
  // One thread (the default) beside two (src/lint/parallel.ts, the DBOPS_LINT_THREADS=on opt-in);
  // their reports must be identical.
  const cliRuns = [];
  const oneThreadRuns = [];
  const squawkRuns = [];
  let statements = 0;
  const oneThread = { cwd: ROOT, env: { ...process.env, DBOPS_LINT_THREADS: 'off' } };
  for (let i = 0; i < corpusRuns; i++) {
    const r = timeRun(process.execPath, [dbops, 'lint', dir, '--format', 'json'], { cwd: ROOT, env: { ...process.env, DBOPS_LINT_THREADS: 'on' } });
    cliRuns.push(r);
    statements = JSON.parse(r.stdout).summary.statements;
    const serial = timeRun(process.execPath, [dbops, 'lint', dir, '--format', 'json'], oneThread);
    if (serial.stdout !== r.stdout) throw new Error('the two-thread and one-thread reports differ');
    oneThreadRuns.push(serial);
    if (squawk) squawkRuns.push(timeRun(squawk, corpusFiles));
  }
  const wall = (runs) => runs.map((r) => r.ms);
  const cliCorpus = median(wall(cliRuns));
  const oneThreadCorpus = median(wall(oneThreadRuns));
  console.log(
    `CLI, whole corpus, two threads (DBOPS_LINT_THREADS=on): ${statements} statements in ${fmt(cliCorpus)} wall (min ${fmt(Math.min(...wall(cliRuns)))}${cpuNote(cliRuns)}) → ` +
      `${Math.round(statements / (cliCorpus / 1000))} statements/s (median of ${corpusRuns})`,
  );
  console.log(
    `CLI, whole corpus, one thread (DBOPS_LINT_THREADS=off): ${fmt(oneThreadCorpus)} wall (min ${fmt(Math.min(...wall(oneThreadRuns)))}${cpuNote(oneThreadRuns)}); ` +
      `two threads / one: ${(cliCorpus / oneThreadCorpus).toFixed(2)}x wall`,
  );

  const nodeRuns = [];
  const singleRuns = [];
  const squawkOneRuns = [];
  for (let i = 0; i < runs; i++) {
    nodeRuns.push(timeRun(process.execPath, ['-e', '0']));
    singleRuns.push(timeRun(process.execPath, [dbops, 'lint', oneFile], { cwd: ROOT }));
    if (squawk) squawkOneRuns.push(timeRun(squawk, [oneFile]));
  }
  const single = median(wall(singleRuns));
  console.log(
    `CLI, one migration file (${path.relative(ROOT, oneFile)}): median ${fmt(single)}, min ${fmt(Math.min(...wall(singleRuns)))}${cpuNote(singleRuns)} ` +
      `(node -e 0: median ${fmt(median(wall(nodeRuns)))}, min ${fmt(Math.min(...wall(nodeRuns)))}${cpuNote(nodeRuns)}; ${runs} runs)`,
  );
  console.log(`ratio one file / node -e 0: ${(single / median(wall(nodeRuns))).toFixed(2)}x wall median, ${(Math.min(...wall(singleRuns)) / Math.min(...wall(nodeRuns))).toFixed(2)}x min (target ≤ 2)`);
  if (!squawk) return;
  const squawkCorpus = median(wall(squawkRuns));
  const squawkOne = median(wall(squawkOneRuns));
  console.log(
    `squawk ${SQUAWK_VERSION} (native), whole corpus: ${fmt(squawkCorpus)} wall (min ${fmt(Math.min(...wall(squawkRuns)))}${cpuNote(squawkRuns)}); ` +
      `one file: median ${fmt(squawkOne)}, min ${fmt(Math.min(...wall(squawkOneRuns)))}${cpuNote(squawkOneRuns)}`,
  );
  const cpuRatio = cpuNote(oneThreadRuns) && cpuNote(squawkRuns) ? `; CPU corpus ${(median(oneThreadRuns.map((r) => r.cpuMs)) / median(squawkRuns.map((r) => r.cpuMs))).toFixed(2)}x` : '';
  console.log(
    `ratio dbops/squawk: corpus ${(oneThreadCorpus / squawkCorpus).toFixed(2)}x wall median, ${(Math.min(...wall(oneThreadRuns)) / Math.min(...wall(squawkRuns))).toFixed(2)}x min (two threads ${(cliCorpus / squawkCorpus).toFixed(2)}x), one file ${(single / squawkOne).toFixed(2)}x wall${cpuRatio} (below 1 = dbops faster)`,
  );
}

main().catch((err) => {
  console.error(`error: ${err.message}`);
  process.exitCode = 1;
});
