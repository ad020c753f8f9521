#!/usr/bin/env node
// Memory and time of `dbops lint` on extreme single files (needs `npm run build`):
//   node bench/lint-bigfile.js [--statements 50000] [--broken-percent 1] [--comment-depth 100000] [--chain 4000]
// Generates each input under .tmp/bench-lint-bigfile/, lints it through the CLI in a fresh
// process (GNU time's peak RSS when /usr/bin/time exists, else the child's own report) and prints
// one line per input: size, wall time, peak RSS, exit code.
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const WORK = path.join(ROOT, '.tmp', 'bench-lint-bigfile');

function arg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}

function addColumns(count, brokenPercent) {
  const every = brokenPercent > 0 ? Math.round(100 / brokenPercent) : 0;
  const lines = [];
  for (let i = 1; i <= count; i++) {
    const broken = every > 0 && i % every === 0;
    lines.push(broken ? `ALTER TABLE orders ADD COLUMN c${i} integer DEFAULT (;` : `ALTER TABLE orders ADD COLUMN c${i} integer;`);
  }
  return `${lines.join('\n')}\n`;
}

const statements = arg('statements', 50000);
const depth = arg('comment-depth', 100000);
const chain = arg('chain', 4000);
const inputs = [
  [`${statements} ADD COLUMN statements`, 'add-columns.sql', () => addColumns(statements, 0)],
  [`${statements} ADD COLUMN, ${arg('broken-percent', 1)} % broken`, 'add-columns-broken.sql', () => addColumns(statements, arg('broken-percent', 1))],
  [`block comments nested ${depth} deep`, 'nested-comments.sql', () => `${'/*'.repeat(depth)}${'*/'.repeat(depth)}\nSELECT 1;\n`],
  [`SELECT 1+1+… (${chain} terms)`, 'plus-chain.sql', () => `SELECT ${'1+'.repeat(chain - 1)}1;\n`],
  [`'a'||'a'||… (${chain} terms)`, 'concat-chain.sql', () => `SELECT ${"'a'||".repeat(chain - 1)}'a';\n`],
];

fs.mkdirSync(WORK, { recursive: true });
const hasGnuTime = fs.existsSync('/usr/bin/time');
console.log(`node ${process.version}, ${require('node:os').cpus().length} CPUs, load ${require('node:os').loadavg()[0].toFixed(1)}`);
for (const [label, name, make] of inputs) {
  const file = path.join(WORK, name);
  fs.writeFileSync(file, make());
  const size = fs.statSync(file).size;
  const cli = [path.join(ROOT, 'bin', 'run.js'), 'lint', '--format', 'json', file];
  const started = process.hrtime.bigint();
  const run = hasGnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', process.execPath, ...cli], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(process.execPath, cli, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const rssKb = hasGnuTime ? Number(run.stderr.trim().split('\n').pop()) : NaN;
  let findings = '?';
  try {
    findings = JSON.parse(run.stdout).findings.length;
  } catch {
    findings = `unparseable output: ${(run.stderr || '').trim().split('\n')[0]}`;
  }
  const rss = Number.isFinite(rssKb) ? `${(rssKb / 1024).toFixed(0)} MB` : 'n/a (no /usr/bin/time)';
  console.log(`${label.padEnd(44)} ${(size / 1e6).toFixed(2).padStart(6)} MB  ${seconds.toFixed(2).padStart(7)} s  peak RSS ${rss.padStart(7)}  exit ${run.status}  findings ${findings}`);
}
