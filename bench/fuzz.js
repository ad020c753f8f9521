#!/usr/bin/env node
// Long fuzz campaigns against `dbops lint` (needs `npm run build`):
//   node bench/fuzz.js [--inputs 100000] [--seed 17] [--timeout-ms 30000] [--workers 1]
// Inputs come from the generator the bounded test uses (src/testing/sql-fuzz.ts): random bytes and
// hostile SQL. Each goes through what `dbops lint - --format json` does (decoding, the engine, the
// JSON renderer) in a worker process; the parent times every input and kills and restarts the
// worker when one takes longer than --timeout-ms (a hang). --workers K splits the inputs into K
// ranges, each with its own worker process (the same inputs as one worker, in less wall time). Prints inputs tried, crashes (a throw,
// a violated property, or the worker dying), hangs and the worker's peak RSS; failing inputs are
// saved under .tmp/fuzz/ with the seed and index that replay them.
const { fork } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const OUT = path.join(ROOT, '.tmp', 'fuzz');
/** Inputs generated per fast-check sample call: input i is sample (seed + floor(i / CHUNK))[i % CHUNK]. */
const CHUNK = 200;

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function inputAt(fc, arbitrary, seed, chunk) {
  return fc.sample(arbitrary, { seed: seed + chunk, numRuns: CHUNK });
}

async function worker() {
  const fc = require('fast-check');
  const { lintFuzzInput, lintJsonViolation } = require(path.join(ROOT, 'dist/src/testing/sql-fuzz'));
  const { lintToString } = require(path.join(ROOT, 'dist/src/lint/run'));
  const { lintSources } = require(path.join(ROOT, 'dist/src/lint/engine'));
  const arbitrary = lintFuzzInput(fc);
  const options = { pgVersion: 15, maxLockTimeoutMs: 5000 };
  let chunk = -1;
  let inputs = [];
  process.on('message', async ({ from, to, seed }) => {
    for (let i = from; i < to; i++) {
      if (Math.floor(i / CHUNK) !== chunk) {
        chunk = Math.floor(i / CHUNK);
        inputs = inputAt(fc, arbitrary, seed, chunk);
      }
      const input = inputs[i % CHUNK];
      process.send({ start: i });
      let problem;
      try {
        const outcome = await lintToString({ paths: ['-'], format: 'json', color: false, cwd: ROOT, options, readStdin: async () => input }, lintSources);
        problem = lintJsonViolation(input, outcome.output, outcome.exitCode);
      } catch (err) {
        problem = `threw: ${err && err.stack ? err.stack.split('\n').slice(0, 3).join(' | ') : String(err)}`;
      }
      process.send({ done: i, problem, maxRssKb: process.resourceUsage().maxRSS });
    }
    process.send({ finished: true });
  });
}

function save(kind, seed, index, problem) {
  fs.mkdirSync(OUT, { recursive: true });
  const fc = require('fast-check');
  const { lintFuzzInput } = require(path.join(ROOT, 'dist/src/testing/sql-fuzz'));
  const input = inputAt(fc, lintFuzzInput(fc), seed, Math.floor(index / CHUNK))[index % CHUNK];
  const file = path.join(OUT, `${kind}-seed${seed}-input${index}.sql`);
  fs.writeFileSync(file, input);
  console.log(`${kind} at input ${index} (seed ${seed}): ${problem}\n  saved to ${path.relative(ROOT, file)}`);
}

async function main() {
  const total = arg('inputs', 100000);
  const seed = arg('seed', 17);
  const timeoutMs = arg('timeout-ms', 30000);
  const workers = arg('workers', 1);
  const os = require('node:os');
  console.log(`node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}; ${total} inputs, seed ${seed}, per-input timeout ${timeoutMs} ms, ${workers} worker(s)`);
  const started = Date.now();
  const stats = { tried: 0, crashes: 0, hangs: 0, peakKb: 0 };
  let lastReport = Date.now();
  const progress = () => {
    if (Date.now() - lastReport < 30000) return;
    lastReport = Date.now();
    console.log(`  ${stats.tried} inputs, ${stats.crashes} crashes, ${stats.hangs} hangs, peak RSS ${(stats.peakKb / 1024).toFixed(0)} MB, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  };
  const size = Math.ceil(total / workers);
  const ranges = Array.from({ length: workers }, (_, k) => [k * size, Math.min(total, (k + 1) * size)]).filter(([from, to]) => from < to);
  await Promise.all(ranges.map(([from, to]) => runRange(from, to, { seed, timeoutMs, stats, progress })));
  const seconds = (Date.now() - started) / 1000;
  console.log(`inputs tried ${stats.tried}, crashes ${stats.crashes}, hangs ${stats.hangs}, peak RSS ${(stats.peakKb / 1024).toFixed(0)} MB (largest worker), ${seconds.toFixed(0)} s (${(stats.tried / seconds).toFixed(0)} inputs/s), load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  process.exitCode = stats.crashes + stats.hangs > 0 ? 1 : 0;
}

/** Inputs [from, to) through worker processes, one at a time, a new worker after a hang or a death. */
async function runRange(from, to, { seed, timeoutMs, stats, progress }) {
  let next = from;
  while (next < to) {
    await new Promise((resolve) => {
      const child = fork(__filename, ['--worker'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], execArgv: [] });
      let current = next;
      let timer;
      let settled = false;
      const arm = () => {
        clearTimeout(timer);
        timer = setTimeout(() => {
          stats.hangs++;
          stats.tried++;
          save('hang', seed, current, `no answer within ${timeoutMs} ms`);
          next = current + 1;
          settled = true;
          child.kill('SIGKILL');
        }, timeoutMs);
      };
      child.on('message', (m) => {
        if (m.start !== undefined) {
          current = m.start;
          arm();
        } else if (m.done !== undefined) {
          clearTimeout(timer);
          stats.tried++;
          stats.peakKb = Math.max(stats.peakKb, m.maxRssKb);
          if (m.problem) {
            stats.crashes++;
            save('crash', seed, m.done, m.problem);
          }
          next = m.done + 1;
          progress();
        } else if (m.finished) {
          settled = true;
          child.kill();
        }
      });
      child.on('exit', (code, signal) => {
        clearTimeout(timer);
        if (!settled) {
          // The worker died inside an input (out of memory, an abort in the WASM parser).
          stats.crashes++;
          stats.tried++;
          save('crash', seed, current, `worker exited (${signal ?? code})`);
          next = current + 1;
        }
        resolve();
      });
      child.send({ from: next, to, seed });
    });
  }
}

if (process.argv.includes('--worker')) worker();
else main();
