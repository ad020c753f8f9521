const fs = require('node:fs');
const path = require('node:path');

/**
 * Two projects, classified by what each test file does rather than by a list kept by hand:
 *   pg   — the file (or a test helper it imports) starts a real cluster: useCluster()/startCluster();
 *          these get the global setup (template initdb, watchdog) and teardown (reaper).
 *   unit — everything else: no server, no global setup (`npm run test:unit`).
 * Tests are TypeScript, transpiled only (type checking is `npm run typecheck`).
 */
// Rule tests may sit beside their rule in rules/; jest refuses a root that does not exist.
const roots = ['test', 'rules'].map((d) => path.join(__dirname, d)).filter((d) => fs.existsSync(d));
const STARTS_CLUSTER = /\b(useCluster|startCluster)\s*\(/;
const RELATIVE_IMPORT = /(?:from|require\()\s*['"](\.{1,2}\/[^'"]+)['"]/g;

function testFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' ? [] : testFiles(p);
    return e.name.endsWith('.test.ts') ? [p] : [];
  });
}

function resolveTs(from, spec) {
  const base = path.resolve(path.dirname(from), spec);
  return [`${base}.ts`, path.join(base, 'index.ts'), base].find((p) => fs.existsSync(p) && fs.statSync(p).isFile());
}

/** True when the file, or a test helper it imports (not src/: the app never starts a cluster for a test), starts a cluster. */
function needsCluster(file, seen = new Set()) {
  if (seen.has(file)) return false;
  seen.add(file);
  const text = fs.readFileSync(file, 'utf8');
  if (STARTS_CLUSTER.test(text)) return true;
  for (const [, spec] of text.matchAll(RELATIVE_IMPORT)) {
    const target = resolveTs(file, spec);
    if (target && roots.some((r) => target.startsWith(r + path.sep)) && needsCluster(target, seen)) return true;
  }
  return false;
}

// Hints name the command as the user ran it (src/core/dbops-command.ts): under `npx jest` npm
// would set npm_command=exec for every CLI a test spawns. Tests see a plain `dbops`, as a global
// install would, unless a test sets it.
delete process.env.npm_command;

const escape = (s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const exactly = (files) => files.map((f) => `^${escape(f)}$`);

const all = roots.flatMap(testFiles);
const pg = all.filter((f) => needsCluster(f));
const unit = all.filter((f) => !pg.includes(f));

const common = {
  rootDir: __dirname,
  roots,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
};

module.exports = {
  testTimeout: 120000,
  projects: [
    { ...common, displayName: 'unit', testRegex: exactly(unit) },
    {
      ...common,
      displayName: 'pg',
      testRegex: exactly(pg),
      globalSetup: '<rootDir>/test/harness/global-setup.ts',
      globalTeardown: '<rootDir>/test/harness/global-teardown.ts',
    },
  ],
};
