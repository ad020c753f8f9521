#!/usr/bin/env node
// Part of `npm run build`, after tsc: bundles the `dbops lint` fast path (dist/src/cli/lint-main.js)
// into dist/bundle/lint.js with esbuild, then makes V8's code cache of it from a sample lint.
// bin/run.js loads it through dist/src/cli/lint-bundle.js; see there for when it is (not) used.
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const esbuild = require('esbuild');

const ROOT = path.resolve(__dirname, '..');
const DIST = path.join(ROOT, 'dist');
const { LINT_BUNDLE, lintBundleHeader, lintBundleCachePath, buildInfoMtime } = require(path.join(DIST, 'src', 'cli', 'lint-bundle.js'));

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

async function main() {
  const result = await esbuild.build({
    entryPoints: [path.join(DIST, 'src', 'cli', 'lint-main.js')],
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
  // Renamed into place, so a lint running meanwhile reads the old bundle or the new one, whole.
  fs.mkdirSync(path.dirname(LINT_BUNDLE), { recursive: true });
  const partial = `${LINT_BUNDLE}.${process.pid}`;
  fs.writeFileSync(partial, lintBundleHeader(id, buildInfoMtime()) + code);
  fs.renameSync(partial, LINT_BUNDLE);
  for (const old of fs.readdirSync(path.dirname(LINT_BUNDLE))) {
    if (/^lint-[0-9a-f]+\.v8cache$/.test(old) && old !== path.basename(lintBundleCachePath(id))) fs.rmSync(path.join(path.dirname(LINT_BUNDLE), old), { force: true });
  }

  // The cache is made in a process of its own that lints a sample, so it holds the compiled code
  // of what a lint runs. That run is also the bundle's smoke test: a bundle that cannot lint fails the build.
  const sample = sampleLint();
  const make = spawnSync(
    process.execPath,
    [
      '-e',
      `const b = require(${JSON.stringify(path.join(DIST, 'src', 'cli', 'lint-bundle.js'))});
       const bundle = b.loadLintBundle();
       bundle.lintMain(['lint', '0001_sample.sql']).then(() => {
         const fs = require('node:fs');
         const cache = b.lintBundleCachePath(bundle.id);
         fs.writeFileSync(cache + '.' + process.pid, bundle.createCachedData());
         fs.renameSync(cache + '.' + process.pid, cache);
       });`,
    ],
    { cwd: sample, stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' },
  );
  fs.rmSync(sample, { recursive: true, force: true });
  if (make.status !== 0 || !fs.existsSync(lintBundleCachePath(id))) {
    fs.rmSync(path.dirname(LINT_BUNDLE), { recursive: true, force: true });
    throw new Error(`the bundle failed to lint a sample (exit ${make.status}): ${make.stderr}`);
  }
}

main().catch((err) => {
  process.stderr.write(`bundle-lint: ${err.stack ?? err}\n`);
  process.exitCode = 1;
});
