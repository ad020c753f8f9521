import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { createRequire } from 'node:module';
import { useBaselineWasmCompiler } from './parser-prefetch';

/**
 * The bundles scripts/bundle-lint.js writes under dist/bundle as part of `npm run build`: the
 * lint fast path (lint.js, loaded by src/cli/lint-bundle.ts) and the worker thread of the
 * two-thread lint (lint-worker.js, loaded by worker-bundle.ts). Each is one file instead of ~90
 * modules to resolve, read and compile, with a V8 code cache made after a sample lint, so the
 * functions a lint runs are not compiled again.
 *
 * A bundle is used only when it was built from the tsc output that is there now: it records the
 * build info's modification time, and `npx tsc -p tsconfig.json` (which leaves the bundles alone)
 * changes it; a stale bundle is ignored and the modules under dist/src run instead. An installed
 * package has no build info and always uses its bundles.
 */
const DIST = path.resolve(__dirname, '..', '..');
export const LINT_BUNDLE = path.join(DIST, 'bundle', 'lint.js');
export const WORKER_BUNDLE = path.join(DIST, 'bundle', 'lint-worker.js');
const TS_BUILD_INFO = path.join(DIST, 'tsconfig.tsbuildinfo');

/** A bundle's first line: `// dbops lint bundle <id> of tsc output <build info mtime or "none">`. */
export function bundleHeader(id: string, buildInfoMtime: string): string {
  return `// dbops lint bundle ${id} of tsc output ${buildInfoMtime}\n`;
}
const HEADER = /^\/\/ dbops lint bundle ([0-9a-f]+) of tsc output (\S+)\n/;

/** The build info's modification time as a bundle records it ("none" when there is none). */
export function buildInfoMtime(buildInfo: string = TS_BUILD_INFO): string {
  try {
    return String(fs.statSync(buildInfo).mtimeMs);
  } catch {
    return 'none';
  }
}

/** Where the code cache of the bundle with this id is: `<name>-<id>.v8cache` beside it. */
export function bundleCachePath(id: string, bundle: string): string {
  return path.join(path.dirname(bundle), `${path.basename(bundle, '.js')}-${id}.v8cache`);
}

export interface LoadedBundle<Exports> {
  /** The content hash in the header, which names its code cache. */
  id: string;
  exports: Exports;
  /** V8's code cache of the bundle as it is compiled now (after a run, it covers the functions that ran). */
  createCachedData(): Buffer;
  /** Whether V8 took the code cache (it refuses one made by another Node version or with other flags). */
  cacheAccepted: boolean;
}

/** Runs the bundle, compiled with its code cache when V8 accepts it; undefined when it is absent or stale. */
export function loadBundle<Exports>(bundle: string, buildInfo: string = TS_BUILD_INFO): LoadedBundle<Exports> | undefined {
  let source: string;
  try {
    source = fs.readFileSync(bundle, 'utf8');
  } catch {
    return undefined;
  }
  const header = HEADER.exec(source);
  if (!header) return undefined;
  const [, id, builtFrom] = header;
  const now = buildInfoMtime(buildInfo);
  if (now !== 'none' && now !== builtFrom) return undefined;
  let cachedData: Buffer | undefined;
  try {
    cachedData = fs.readFileSync(bundleCachePath(id, bundle));
  } catch {
    cachedData = undefined;
  }
  // The cache is checked against V8's flags: set the one the parser needs before compiling.
  useBaselineWasmCompiler();
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    cachedData,
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  const module = { exports: {} as Exports };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  return {
    id,
    exports: module.exports,
    createCachedData: () => script.createCachedData(),
    cacheAccepted: cachedData !== undefined && !script.cachedDataRejected,
  };
}
