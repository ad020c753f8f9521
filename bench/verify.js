#!/usr/bin/env node
// Static vs verified lint on dbops's own corpus, and what --verify costs (needs `npm run build`):
//   node bench/verify.js [--list]   (--list: print each miss, false claim and model mistake)
// The corpus: every statement case of the oracle (test/oracle/cases.ts) and every rule's bad and
// good example, against the oracle's schema (test/oracle/fixture.ts + the rules' example schema).
// Each case is linted twice through the library: statically, and with --verify on a scratch
// database of one throwaway PostgreSQL 15 started here. Ground truth per case is what the
// scratch server observed for its last statement: a rewrite, a full scan or an index build on a
// relation of the schema under a lock that blocks its readers or writers (SHARE or stronger:
// "heavy work", what dbops lint exists to catch). A statement that refuses a transaction block runs
// alone, so its locks are not observed: there a rewrite counts (PostgreSQL rewrites only under
// ACCESS EXCLUSIVE) and a scan or index build does not (the non-transactional forms, CONCURRENTLY
// and VACUUM, take at most SHARE UPDATE EXCLUSIVE). The same work under weaker locks (CONCURRENTLY
// builds, VALIDATE CONSTRAINT, whole-table UPDATE) is counted too, as a second figure ("any lock").
// A lint run claims heavy work for that statement when a finding on it declares the category
// rewrite, scan or index-build. Prints recall and precision of the claims, static and verified,
// how often the model was wrong, and the cost of --verify per statement next to the static lint's
// (the yardstick).
const fs = require('node:fs');
const path = require('node:path');
const ts = require('typescript');

const ROOT = path.resolve(__dirname, '..');
const dist = (p) => require(path.join(ROOT, 'dist', p));
const { startCluster } = dist('src/testing/cluster');
const { lintSources, analyzeOptionsOf } = dist('src/lint/engine');
const { verifiedLint } = dist('src/lint/run');
const { RULES } = dist('rules');
const { lockRank } = dist('src/effects/locks');
const SHARE = lockRank('ShareLock');

/** A test module with no imports of its own (data only), transpiled in memory. */
function loadTs(rel) {
  const out = ts.transpileModule(fs.readFileSync(path.join(ROOT, rel), 'utf8'), { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } });
  const module = { exports: {} };
  new Function('module', 'exports', 'require', out.outputText)(module, module.exports, require);
  return module.exports;
}

const HEAVY = new Set(['rewrite', 'scan', 'index-build']);
const LIST = process.argv.includes('--list');

async function main() {
  const { ORACLE_CASES } = loadTs('test/oracle/cases.ts');
  const { FIXTURE_SCHEMA } = loadTs('test/oracle/fixture.ts');
  const { EXAMPLE_SCHEMA } = loadTs('test/fixtures/example-schema.ts');
  const schema = FIXTURE_SCHEMA + EXAMPLE_SCHEMA;
  const corpus = [...ORACLE_CASES.map((c) => c.sql), ...RULES.flatMap((r) => [...r.examples.bad, ...r.examples.good])];
  const schemaTables = new Set([...schema.matchAll(/CREATE (?:UNLOGGED )?(?:MATERIALIZED VIEW|TABLE) (\w+)/g)].map((m) => m[1]));

  const cluster = await startCluster();
  // The fixture's tablespace and role, as the oracle creates them.
  const tsDir = path.join(cluster.dir, 'tablespace');
  fs.mkdirSync(tsDir);
  require('node:child_process').execFileSync('chown', ['postgres:postgres', tsDir]);
  await cluster.psql(cluster.primary, `CREATE TABLESPACE fast LOCATION '${tsDir}'`);
  await cluster.psql(cluster.primary, 'CREATE ROLE dbops_oracle');
  const options = { pgVersion: 15, maxLockTimeoutMs: 5000, existingSchema: schema, severities: { 'forbid-new-tables': 'off' } };
  const blank = () => ({ tp: 0, fp: 0, fn: 0 });
  const tally = { static: blank(), verified: blank(), 'static, any lock': blank(), 'verified, any lock': blank() };
  let statements = 0;
  let wrong = 0;
  let cannotProve = 0;
  let verifyMs = 0;
  let setupMs = 0;
  let staticMs = 0;
  let failed = 0;
  try {
    for (const [i, sql] of corpus.entries()) {
      const sources = [{ path: `case-${i}.sql`, text: sql.endsWith(';') ? sql : `${sql};` }];
      const t0 = process.hrtime.bigint();
      const plain = await lintSources(sources, options);
      staticMs += Number(process.hrtime.bigint() - t0) / 1e6;
      const verified = await verifiedLint(sources, options, cluster.primary.url, lintSources);
      const v = verified.verification;
      setupMs += v.setupMs;
      for (const s of v.statements) verifyMs += s.ms;
      statements += v.statements.length;
      wrong += v.statements.filter((s) => s.modelWasWrong).length;
      if (LIST) for (const s of v.statements.filter((x) => x.modelWasWrong)) console.log(`model wrong: ${s.text} — ${s.mismatches.join('; ')}`);
      const last = v.statements[v.statements.length - 1];
      if (!last || last.error) {
        failed++;
        continue;
      }
      // Heavy work observed on a relation of the schema (new ones are empty: nobody waits for them).
      const heavyOnSchema = observedRelations(last.observed).filter((o) => schemaTables.has(o.relation) && (o.rewrite || o.scan || o.indexBuild));
      const anyLock = heavyOnSchema.length > 0;
      const strongLock = heavyOnSchema.some((o) => (o.locks.length === 0 ? o.rewrite : o.locks.some((l) => lockRank(l) >= SHARE)));
      cannotProve += (await analyzedCannotProve(sources, options, last.text)) ? 1 : 0;
      for (const [kind, report] of [['static', plain], ['verified', verified]]) {
        const claims = report.findings.some((f) => f.statement === last.text && HEAVY.has(f.category));
        for (const [name, observedHeavy] of [[kind, strongLock], [`${kind}, any lock`, anyLock]]) {
          const t = tally[name];
          if (claims && observedHeavy) t.tp++;
          else if (claims) t.fp++;
          else if (observedHeavy) t.fn++;
          if (LIST && claims !== observedHeavy) console.log(`${name} ${claims ? 'fp' : 'fn'}: ${sql.replace(/\s+/g, ' ')} — observed ${last.observed}`);
        }
      }
    }
  } finally {
    await cluster.stop();
  }
  const pct = (n, d) => (d === 0 ? 'n/a' : `${((100 * n) / d).toFixed(1)} %`);
  const cases = corpus.length - failed;
  console.log(`corpus: ${corpus.length} cases (${failed} whose last statement PostgreSQL 15 rejects, left out), ${statements} statements verified`);
  for (const kind of Object.keys(tally)) {
    const t = tally[kind];
    console.log(`${kind.padEnd(18)} heavy work: recall ${pct(t.tp, t.tp + t.fn)}, precision ${pct(t.tp, t.tp + t.fp)} (tp ${t.tp}, fp ${t.fp}, fn ${t.fn} of ${cases})`);
  }
  console.log(`model was wrong on ${wrong} of ${statements} statements; ${cannotProve} last statements were "cannot prove" statically`);
  console.log(`static lint: ${(staticMs / corpus.length).toFixed(2)} ms per case (yardstick)`);
  console.log(`--verify: ${(verifyMs / statements).toFixed(1)} ms per statement traced, + ${(setupMs / corpus.length).toFixed(0)} ms per run (create the scratch database, replay the schema, drop it)`);
  console.log(`ratio: --verify costs ${((verifyMs / statements + setupMs / corpus.length) / (staticMs / corpus.length)).toFixed(0)}x the static lint of a one-statement migration`);
}

/** The report's "observed" line ("ShareLock on users, full scan; orders, rewrite") back into relations. */
function observedRelations(line) {
  return line
    .split('; ')
    .map((item) => item.match(/^(?:(\w+Lock) on )?([^,]+)(.*)$/))
    .filter(Boolean)
    .map(([, lock, relation, rest]) => ({ relation, locks: lock ? [lock] : [], rewrite: rest.includes('rewrite'), scan: rest.includes('full scan'), indexBuild: rest.includes('index build') }));
}

/** Whether the model said "cannot prove" about the statement. */
async function analyzedCannotProve(sources, options, text) {
  const { analyzeSources } = dist('src/effects/analyze-files');
  const [file] = await analyzeSources(sources, analyzeOptionsOf(options));
  const st = file.statements.find((s) => s.statement.text === text);
  return st ? st.analyzed.effects.actions.some((a) => a.cannotProve) : false;
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
