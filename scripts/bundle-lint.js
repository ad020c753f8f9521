#!/usr/bin/env node
// Part of `npm run build`, after tsc: bundles the `dbops lint` fast path (dist/src/cli/lint-main.js)
// into dist/bundle/lint.js and the two-thread lint's worker (dist/src/lint/worker.js) into
// dist/bundle/lint-worker.js with esbuild, then makes V8's code cache of each from a sample lint.
// bin/run.js loads the first through dist/src/cli/lint-bundle.js, the worker thread the second
// through dist/src/lint/worker-bundle.js; see dist/src/lint/code-bundle.js for when they are (not) used.
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const CODE_BUNDLE = path.join(DIST, 'src', 'lint', 'code-bundle.js');
const { LINT_BUNDLE, WORKER_BUNDLE, bundleHeader, bundleCachePath, buildInfoMtime } = require(CODE_BUNDLE);

// Packages stay outside the bundle (loaded from node_modules when a lint needs them: pg for
// --verify, tinyglobby for globs, libpg-query, which finds its .wasm beside itself and is loaded
// afresh after a stack overflow), except those every lint loads.
const INLINED_PACKAGES = ['kleur'];
const pkg = require(path.join(ROOT, 'package.json'));
const external = Object.keys(pkg.dependencies).filter((name) => !INLINED_PACKAGES.includes(name));

/**
 * Each bundled module of ours sees the __dirname and __filename it has under dist/, so code that
 * finds files beside itself (a worker script, package.json above it) works the same bundled.
 */
const ownPaths = {
  name: 'own-paths',
  setup(build) {
    build.onLoad({ filter: /\.js$/ }, (args) => {
      if (!args.path.startsWith(DIST + path.sep)) return undefined;
      const text = fs.readFileSync(args.path, 'utf8');
      if (!/\b__(dirname|filename)\b/.test(text)) return { contents: text, loader: 'js' };
      const dir = path.relative(path.dirname(LINT_BUNDLE), path.dirname(args.path));
      const prologue =
        `var __dirname = require("node:path").join(__lintBundleDir, ${JSON.stringify(dir)}), ` +
        `__filename = require("node:path").join(__dirname, ${JSON.stringify(path.basename(args.path))});\n`;
      return { contents: prologue + text, loader: 'js' };
    });
  },
};

function sampleLint() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dbops-bundle-'));
  fs.writeFileSync(
    path.join(dir, '0001_sample.sql'),
    [
      "SET lock_timeout = '2s';",
      'CREATE TABLE accounts (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, email text);',
      'ALTER TABLE accounts ADD COLUMN plan text NOT NULL DEFAULT \'free\';',
      'ALTER TABLE accounts ALTER COLUMN email SET NOT NULL;',
      'CREATE INDEX accounts_email_idx ON accounts (email);',
      'ALTER TABLE orders ADD CONSTRAINT orders_account_fkey FOREIGN KEY (account_id) REFERENCES accounts (id);',
      'UPDATE accounts SET plan = \'pro\' WHERE plan IS NULL;',
      '',
    ].join('\n'),
  );
  return dir;
}

/** Bundles `entry` into `out` (renamed into place, so a lint running meanwhile reads the old bundle or the new one, whole); its id. */
async function bundle(entry, out) {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external,
    plugins: [ownPaths],
    // The directive first: esbuild's own "use strict" comes after the banner, where it is no directive.
    banner: { js: '"use strict";\nconst __lintBundleDir = __dirname;' },
    write: false,
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].text;
  const id = crypto.createHash('sha256').update(code).digest('hex').slice(0, 16);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const partial = `${out}.${process.pid}`;
  fs.writeFileSync(partial, bundleHeader(id, buildInfoMtime()) + code);
  fs.renameSync(partial, out);
  const oldCache = new RegExp(`^${path.basename(out, '.js')}-[0-9a-f]+\\.v8cache$`);
  for (const old of fs.readdirSync(path.dirname(out))) {
    if (oldCache.test(old) && old !== path.basename(bundleCachePath(id, out))) fs.rmSync(path.join(path.dirname(out), old), { force: true });
  }
  return id;
}

// Each cache is made in a process of its own that lints a sample, so it holds the compiled code
// of what a lint runs. That run is also the bundle's smoke test: a bundle that cannot lint fails the build.
const WRITE_CACHE = `(loaded) => {
  const fs = require('node:fs');
  const cache = b.bundleCachePath(loaded.id, loaded.path);
  fs.writeFileSync(cache + '.' + process.pid, loaded.createCachedData());
  fs.renameSync(cache + '.' + process.pid, cache);
}`;
const LINT_SAMPLE = `const b = require(${JSON.stringify(CODE_BUNDLE)});
  const loaded = { ...b.loadBundle(b.LINT_BUNDLE), path: b.LINT_BUNDLE };
  loaded.exports.lintMain(['lint', '0001_sample.sql']).then(() => (${WRITE_CACHE})(loaded));`;
// The worker bundle runs on this thread here (no parentPort: it waits to be called), on the
// sample's files as a worker thread gets them when the main thread takes none.
const WORKER_SAMPLE = `const b = require(${JSON.stringify(CODE_BUNDLE)});
  const loaded = { ...b.loadBundle(b.WORKER_BUNDLE), path: b.WORKER_BUNDLE };
  const sources = require('node:fs').readdirSync('.').sort().map((p) => ({ path: p, text: require('node:fs').readFileSync(p, 'utf8') }));
  const shared = new Int32Array(new SharedArrayBuffer(4 * (sources.length + 1)));
  shared[sources.length] = sources.length;
  const input = { sources, options: { pgVersion: 16, maxLockTimeoutMs: 5000 }, shared: shared.buffer, lookahead: 64 };
  let failed = false;
  loaded.exports.runWorker(input, (r) => (failed ||= 'failed' in r)).then(() => {
    if (failed) throw new Error('the worker bundle failed to lint the sample');
    (${WRITE_CACHE})(loaded);
  });`;

function makeCache(script, id, out) {
  const sample = sampleLint();
  const make = spawnSync(process.execPath, ['-e', script], { cwd: sample, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
  fs.rmSync(sample, { recursive: true, force: true });
  if (make.status !== 0 || !fs.existsSync(bundleCachePath(id, out))) {
    fs.rmSync(path.dirname(out), { recursive: true, force: true });
    throw new Error(`the bundle ${path.basename(out)} failed to lint a sample (exit ${make.status}): ${make.stderr}`);
  }
}

async function main() {
  const lintId = await bundle(path.join(DIST, 'src', 'cli', 'lint-main.js'), LINT_BUNDLE);
  const workerId = await bundle(path.join(DIST, 'src', 'lint', 'worker.js'), WORKER_BUNDLE);
  makeCache(LINT_SAMPLE, lintId, LINT_BUNDLE);
  makeCache(WORKER_SAMPLE, workerId, WORKER_BUNDLE);
}

main().catch((err) => {
  process.stderr.write(`bundle-lint: ${err.stack ?? err}\n`);
  process.exitCode = 1;
});
