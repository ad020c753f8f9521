#!/usr/bin/env node
/**
 * Traces every statement of the scenarios under bench/verify-scenarios/ (renames, schema moves,
 * partitions, inheritance, cascades, common migration steps) with `dbops lint DIR --verify local`
 * on a throwaway PostgreSQL and prints, per scenario, on how many statements the model was wrong.
 * Needs `npm run build` and PostgreSQL's binaries (as `--verify local` does).
 *
 *   node bench/verify-scenarios.js [scenario …]
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const DIR = path.join(__dirname, 'verify-scenarios');
const wanted = process.argv.slice(2);
const scenarios = fs.readdirSync(DIR).filter((d) => wanted.length === 0 || wanted.includes(d)).sort();
let total = 0;
let wrongTotal = 0;
for (const name of scenarios) {
  const run = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'run.js'), 'lint', path.join(DIR, name), '--verify', 'local', '--format', 'json'], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (!run.stdout) {
    console.log(`${name}: no report (exit ${run.status}): ${run.stderr.trim()}`);
    process.exitCode = 1;
    continue;
  }
  const statements = JSON.parse(run.stdout).verification?.statements ?? [];
  const wrong = statements.filter((s) => s.modelWasWrong);
  total += statements.length;
  wrongTotal += wrong.length;
  console.log(`${name}: model wrong on ${wrong.length} of ${statements.length} statements`);
  for (const s of wrong) console.log(`  ${path.basename(s.file)}:${s.line} ${s.text.slice(0, 60)} — ${s.mismatches.join('; ')}`);
}
console.log(`all: model wrong on ${wrongTotal} of ${total} statements`);
