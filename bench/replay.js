#!/usr/bin/env node
// Static and verified lint of real migration histories, replayed statement by statement on a
// throwaway PostgreSQL 15 (needs `npm run build`):
//   node bench/replay.js [--list] DIR…   (--list: print each miss, false claim, model mistake,
//                                          server error, statement dbops cannot analyse and
//                                          migration it cannot load)
// Each DIR is one project's history, read as `dbops lint DIR` reads it: *.sql files, or Knex,
// TypeORM, Sequelize and node-pg-migrate migrations (the SQL their `up` sends, recorded by
// src/orm with the tool installed next to the history), in migration order, each file after the
// ones before it, on a scratch database of its own. Nothing is bundled: bring your own histories (docs/benchmarks.md names the
// projects and commits measured).
// All files are linted in one run with lint.newTables "file": a table an earlier file created
// exists (production has had it since), one created earlier in the same file is new.
// Ground truth per statement is what the scratch server observed: heavy work is a rewrite, a
// full scan or an index build on a relation that existed before the file, under a lock
// that blocks reads or writes (SHARE or stronger; for a statement traced outside a transaction,
// whose locks are not observed, the lock the model predicts). A lint run claims heavy work for a
// statement when one of its findings declares the category rewrite, scan or index-build.
// Statements the server rejects are left out of the figures (and counted). The yardstick is the
// same lint without --verify: the static figures next to the verified ones.
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const dist = (p) => require(path.join(ROOT, 'dist', p));
const { startCluster } = dist('src/testing/cluster');
const { lintSources, analyzeOptionsOf } = dist('src/lint/engine');
const { verifySources } = dist('src/verify/verify');
const { lockRank } = dist('src/effects/locks');
const { loadParser, parseSqlFile } = dist('src/sql/parser');
const { relationFromRangeVar } = dist('src/effects/names');
const { collectInputs } = dist('src/lint/inputs');

const HEAVY = new Set(['rewrite', 'scan', 'index-build']);
const SHARE = lockRank('ShareLock');
const args = process.argv.slice(2);
const LIST = args.includes('--list');
const dirs = args.filter((a) => a !== '--list');

/** The history as `dbops lint DIR` reads it; ORM migrations as the SQL their `up` sends. */
async function sourcesOf(dir) {
  const inputs = await collectInputs({ paths: [path.resolve(dir)], cwd: path.resolve(dir) });
  return { sources: inputs.sources, problems: inputs.problems };
}

/** Tables and materialized views each file creates (by its parse tree, not by the model). */
function createdIn(text) {
  const keys = new Set();
  for (const st of parseSqlFile(text).statements) {
    const rv = st.node.CreateStmt?.relation ?? st.node.CreateTableAsStmt?.into?.rel;
    if (rv) keys.add(relationFromRangeVar(rv).key);
  }
  return keys;
}

/** Heavy work the server observed for one verified statement on a relation older than its file. */
function observedHeavy(v, created) {
  return v.observed.some((o) => {
    if (!(o.rewrite || o.scan || o.indexBuild) || created.has(o.relation)) return false;
    const locks = v.traced === 'alone' ? (v.predicted.find((p) => p.relation === o.relation)?.locks ?? []) : o.locks;
    return locks.some((l) => lockRank(l) >= SHARE);
  });
}

const oneLine = (s) => s.replace(/\s+/g, ' ').slice(0, 160);

async function replay(cluster, dir) {
  const { sources, problems } = await sourcesOf(dir);
  const options = { pgVersion: 15, maxLockTimeoutMs: 5000, newTables: 'file' };
  const created = new Map(sources.map((s) => [s.path, createdIn(s.text)]));
  const result = await verifySources({ target: cluster.primary.url, sources, options: analyzeOptionsOf(options) });
  const byStatement = new Map(result.statements.map((v) => [`${v.file}\0${v.ordinal}`, v]));
  const plain = await lintSources(sources, options);
  const verified = await lintSources(sources, options, (file, ordinal) => {
    const v = byStatement.get(`${file}\0${ordinal}`);
    return v && !v.error && v.traced !== 'not-run' ? { effects: v.corrected, verification: { predicted: '', observed: '', modelWasWrong: v.modelWasWrong, mismatches: v.mismatches } } : undefined;
  });
  // A finding belongs to the top-level statement it starts in (a finding inside a DO block to the
  // DO statement); by offset, since an ORM sends several statements in one query, on one line.
  const starts = new Map(sources.map((s) => [s.path, parseSqlFile(s.text).statements.map((st) => st.start.offset)]));
  const statementOf = (f) => (starts.get(f.file) ?? []).filter((offset) => offset <= f.start.offset).length - 1;
  const claimed = (report) => new Set(report.findings.filter((f) => HEAVY.has(f.category)).map((f) => `${f.file}\0${statementOf(f)}`));
  const claims = { static: claimed(plain), verified: claimed(verified) };
  const row = { project: path.basename(dir), files: sources.length, unloaded: problems.length, statements: 0, errors: 0, wrong: 0, unanalysed: 0, static: { tp: 0, fp: 0, fn: 0 }, verified: { tp: 0, fp: 0, fn: 0 } };
  for (const p of problems) if (LIST) console.log(`  cannot load ${p.message}`);
  for (const f of plain.findings.filter((x) => x.category === 'syntax')) {
    row.unanalysed++;
    if (LIST) console.log(`  cannot analyse ${path.basename(f.file)}:${f.start.line}: ${f.message}`);
  }
  for (const v of result.statements) {
    if (v.traced === 'not-run') continue;
    const where = `${path.basename(v.file)}:${v.line}`;
    if (v.error) {
      row.errors++;
      if (LIST) console.log(`  server error ${where}: ${v.error.message} — ${oneLine(v.text)}`);
      continue;
    }
    row.statements++;
    if (v.modelWasWrong) {
      row.wrong++;
      if (LIST) console.log(`  model wrong ${where}: ${v.mismatches.join('; ')} — ${oneLine(v.text)}`);
    }
    const heavy = observedHeavy(v, created.get(v.file));
    for (const kind of ['static', 'verified']) {
      const claim = claims[kind].has(`${v.file}\0${v.ordinal}`);
      const t = row[kind];
      if (claim && heavy) t.tp++;
      else if (claim) t.fp++;
      else if (heavy) t.fn++;
      if (LIST && claim !== heavy) console.log(`  ${kind} ${claim ? 'false claim' : 'miss'} ${where}: ${oneLine(v.text)} — observed ${v.observed.map((o) => `${o.relation}${o.rewrite ? ' rewrite' : ''}${o.scan ? ' scan' : ''}${o.indexBuild ? ' index build' : ''} ${o.locks[0] ?? ''}`).join('; ') || 'nothing'}`);
    }
  }
  return row;
}

const pct = (n, d) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)} %`);
const figures = (t) => `recall ${pct(t.tp, t.tp + t.fn)}, precision ${pct(t.tp, t.tp + t.fp)} (tp ${t.tp}, fp ${t.fp}, fn ${t.fn})`;

function print(row) {
  console.log(`${row.project}: ${row.files} files (${row.unloaded} dbops cannot load), ${row.statements} statements traced (${row.errors} rejected by the server, ${row.unanalysed} dbops cannot analyse), model wrong on ${row.wrong}`);
  console.log(`  static   heavy work: ${figures(row.static)}`);
  console.log(`  verified heavy work: ${figures(row.verified)}`);
}

async function main() {
  if (dirs.length === 0) {
    console.error('usage: node bench/replay.js [--list] DIR…  (each DIR: one project\'s history, SQL or ORM migrations)');
    process.exit(2);
  }
  await loadParser();
  const cluster = await startCluster();
  const rows = [];
  try {
    for (const dir of dirs) {
      if (LIST) console.log(`${path.basename(dir)}:`);
      const row = await replay(cluster, dir);
      print(row);
      rows.push(row);
    }
  } finally {
    await cluster.stop();
  }
  const total = { project: 'total', files: 0, unloaded: 0, statements: 0, errors: 0, wrong: 0, unanalysed: 0, static: { tp: 0, fp: 0, fn: 0 }, verified: { tp: 0, fp: 0, fn: 0 } };
  for (const r of rows) {
    for (const k of ['files', 'unloaded', 'statements', 'errors', 'wrong', 'unanalysed']) total[k] += r[k];
    for (const kind of ['static', 'verified']) for (const k of ['tp', 'fp', 'fn']) total[kind][k] += r[kind][k];
  }
  print(total);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
