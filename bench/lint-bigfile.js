#!/usr/bin/env node
// Memory and time of `dbops lint` on extreme single files (needs `npm run build`):
//   node bench/lint-bigfile.js [--statements 50000] [--broken-percent 1] [--comment-depth 100000] [--chain 4000]
//                              [--format json] [--baseline /path/to/other/checkout]
// Generates each input under .tmp/bench-lint-bigfile/, lints it through the CLI in a fresh
// process (GNU time's peak RSS when /usr/bin/time exists) and prints one line per input: size,
// wall time, CPU time, peak RSS, exit code. The ADD COLUMN file is also linted at half and twice
// the size: CPU time per statement should not grow with the file. With --baseline (a built
// checkout of another version), each input is linted by both, alternating, and the ratios printed.
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

function textArg(name, fallback) {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : fallback;
}

const statements = arg('statements', 50000);
const format = textArg('format', 'json');
const baseline = textArg('baseline', undefined);
const depth = arg('comment-depth', 100000);
const chain = arg('chain', 4000);
const inputs = [
  [`${statements / 2} ADD COLUMN statements`, 'add-columns-half.sql', () => addColumns(statements / 2, 0)],
  [`${statements} ADD COLUMN statements`, 'add-columns.sql', () => addColumns(statements, 0)],
  [`${statements * 2} ADD COLUMN statements`, 'add-columns-double.sql', () => addColumns(statements * 2, 0)],
  [`${statements} ADD COLUMN, ${arg('broken-percent', 1)} % broken`, 'add-columns-broken.sql', () => addColumns(statements, arg('broken-percent', 1))],
  [`block comments nested ${depth} deep`, 'nested-comments.sql', () => `${'/*'.repeat(depth)}${'*/'.repeat(depth)}\nSELECT 1;\n`],
  [`SELECT 1+1+… (${chain} terms)`, 'plus-chain.sql', () => `SELECT ${'1+'.repeat(chain - 1)}1;\n`],
  [`'a'||'a'||… (${chain} terms)`, 'concat-chain.sql', () => `SELECT ${"'a'||".repeat(chain - 1)}'a';\n`],
];

/** One CLI run: wall and CPU seconds, peak RSS in MB, exit code, number of findings. */
function lint(root, file) {
  const cli = [path.join(root, 'bin', 'run.js'), 'lint', '--format', format, file];
  const started = process.hrtime.bigint();
  const run = hasGnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%M %U %S', process.execPath, ...cli], { encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(process.execPath, cli, { encoding: 'utf8', maxBuffer: 1 << 30 });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  const [rssKb, user, system] = hasGnuTime ? run.stderr.trim().split('\n').pop().split(' ').map(Number) : [NaN, NaN, NaN];
  let findings = '?';
  if (format === 'json') {
    try {
      findings = JSON.parse(run.stdout).findings.length;
    } catch {
      findings = `unparseable output: ${(run.stderr || '').trim().split('\n')[0]}`;
    }
  }
  return { seconds, cpu: user + system, rssMb: rssKb / 1024, status: run.status, findings };
}

const show = (r) => `${r.seconds.toFixed(2).padStart(6)} s wall ${r.cpu.toFixed(2).padStart(6)} s CPU  peak RSS ${`${r.rssMb.toFixed(0)} MB`.padStart(7)}  exit ${r.status}  findings ${r.findings}`;

fs.mkdirSync(WORK, { recursive: true });
const hasGnuTime = fs.existsSync('/usr/bin/time');
const os = require('node:os');
console.log(`node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}, --format ${format}${baseline ? `, baseline ${baseline}` : ''}`);
for (const [label, name, make] of inputs) {
  const file = path.join(WORK, name);
  fs.writeFileSync(file, make());
  const size = fs.statSync(file).size;
  const head = `${label.padEnd(44)} ${(size / 1e6).toFixed(2).padStart(6)} MB`;
  if (!baseline) {
    console.log(`${head}  ${show(lint(ROOT, file))}`);
    continue;
  }
  const before = lint(baseline, file);
  const after = lint(ROOT, file);
  console.log(`${head}\n  baseline  ${show(before)}\n  this      ${show(after)}\n  ratio this/baseline: CPU ${(after.cpu / before.cpu).toFixed(2)}, peak RSS ${(after.rssMb / before.rssMb).toFixed(2)}`);
}
console.log(`load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}`);
