#!/usr/bin/env node
// Throughput and memory of `dbops audit queries --log`: generates PostgreSQL stderr logs of N
// statements (streamed to .tmp/, varying constants, multi-line statements, execute lines), then
// audits each in a fresh process and prints statements/s (wall clock, and per CPU second, which
// is what to compare on a shared machine) and peak RSS. Memory should stay flat
// as the log grows. Needs `npm run build`.
//
//   node bench/audit.js                 # 250k and 1M statements
//   node bench/audit.js 100000 2000000  # other sizes
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const OUT_DIR = path.join(ROOT, '.tmp', 'bench-audit');

/** 300 query shapes like an ORM's: a root table and 0–15 joined tables, some with subqueries. */
function shapes() {
  const out = [];
  for (let s = 0; s < 300; s++) {
    const joins = s % 16;
    const root = `tbl_${s % 40}`;
    let sql = `SELECT "${root}"."id", "${root}"."name" FROM "${root}"`;
    for (let j = 1; j <= joins; j++) sql += `\n  LEFT OUTER JOIN "tbl_${(s + j) % 40}" AS "a${j}" ON "a${j}"."id" = "${j === 1 ? root : `a${j - 1}`}"."ref_${j}"`;
    sql += `\n WHERE "${root}"."id" = #N AND "${root}"."status" = '#S'`;
    if (s % 7 === 0) sql += ` AND EXISTS (SELECT 1 FROM audit_events e WHERE e.entity_id = "${root}"."id" AND e.kind = '#S')`;
    out.push(sql);
  }
  return out;
}

async function generate(file, n) {
  const all = shapes();
  const stream = fs.createWriteStream(file);
  const write = (s) => (stream.write(s) ? Promise.resolve() : new Promise((r) => stream.once('drain', r)));
  let seed = 42;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  for (let i = 0; i < n; i++) {
    const sql = all[Math.floor(rnd() * all.length)].replace('#N', String(Math.floor(rnd() * 1e6))).replace(/#S/g, `s${Math.floor(rnd() * 1000)}`);
    const pid = 1000 + (i % 50);
    const ms = (rnd() * 20).toFixed(3);
    const kind = i % 5 === 0 ? 'execute <unnamed>' : 'statement';
    // Continuation lines of a multi-line statement start with a tab.
    await write(`2026-11-23 10:00:00.${String(i % 1000).padStart(3, '0')} UTC [${pid}] LOG:  duration: ${ms} ms  ${kind}: ${sql.replace(/\n/g, '\n\t')}\n`);
    if (i % 10 === 0) await write(`2026-11-23 10:00:00.000 UTC [${pid}] LOG:  checkpoint starting: time\n`);
  }
  await new Promise((r) => stream.end(r));
}

function measure(file) {
  const { runAudit } = require(path.join(ROOT, 'dist', 'src', 'audit', 'run'));
  const start = process.hrtime.bigint();
  const cpuStart = process.cpuUsage();
  return runAudit({ logs: [file], logFormat: 'auto', files: [], thresholds: { warning: 8, error: 12 } }).then((run) => {
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    const cpu = process.cpuUsage(cpuStart);
    const peakRssMb = process.resourceUsage().maxRSS / 1024;
    return { statements: run.statements, distinct: run.distinct, parses: run.parses, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6, peakRssMb };
  });
}

async function main() {
  if (process.argv[2] === '--measure') {
    console.log(JSON.stringify(await measure(process.argv[3])));
    return;
  }
  const sizes = process.argv.slice(2).map(Number).filter((n) => n > 0);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  console.log(`node ${process.version}, ${require('node:os').cpus().length} cores`);
  for (const n of sizes.length ? sizes : [250_000, 1_000_000]) {
    const file = path.join(OUT_DIR, `stderr-${n}.log`);
    if (!fs.existsSync(file)) await generate(file, n);
    const mb = fs.statSync(file).size / 1e6;
    const child = spawnSync(process.execPath, [__filename, '--measure', file], { encoding: 'utf8', maxBuffer: 1 << 20 });
    if (child.status !== 0) throw new Error(child.stderr);
    const r = JSON.parse(child.stdout);
    console.log(
      `${n.toLocaleString('en-US')} statements (${mb.toFixed(0)} MB log): ${r.seconds.toFixed(2)} s wall, ${r.cpuSeconds.toFixed(2)} s CPU, ` +
        `${Math.round(r.statements / r.seconds).toLocaleString('en-US')} statements/s wall (${Math.round(r.statements / r.cpuSeconds).toLocaleString('en-US')}/s per CPU second), ` +
        `peak RSS ${r.peakRssMb.toFixed(0)} MB, ` +
        `${r.distinct} fingerprints, ${r.parses.toLocaleString('en-US')} parser runs`,
    );
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
