import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vm from 'node:vm';
import { createRequire } from 'node:module';
import { useBaselineWasmCompiler } from '../lint/parser-prefetch';

/**
 * The bundled lint fast path (entry: lint-main.ts), written by scripts/bundle-lint.js as part of
 * `npm run build`: one file instead of ~90 modules to resolve, read and compile, and a V8 code
 * cache of it made after a sample lint, so the functions a lint runs are not compiled again.
 *
 * It is used only when it was built from the tsc output that is there now: the bundle records
 * the build info's modification time, and `npx tsc -p tsconfig.json` (which leaves the bundle
 * alone) changes it; a stale bundle is ignored and the modules under dist/src run instead. An
 * installed package has no build info and always uses its bundle.
 */
const DIST = path.resolve(__dirname, '..', '..');
export const LINT_BUNDLE = path.join(DIST, 'bundle', 'lint.js');
const TS_BUILD_INFO = path.join(DIST, 'tsconfig.tsbuildinfo');

/** The bundle's first line: `// dbops lint bundle <id> of tsc output <build info mtime or "none">`. */
export function lintBundleHeader(id: string, buildInfoMtime: string): string {
  return `// dbops lint bundle ${id} of tsc output ${buildInfoMtime}\n`;
}
const HEADER = /^\/\/ dbops lint bundle ([0-9a-f]+) of tsc output (\S+)\n/;

/** The build info's modification time as the bundle records it ("none" when there is none). */
export function buildInfoMtime(buildInfo: string = TS_BUILD_INFO): string {
  try {
    return String(fs.statSync(buildInfo).mtimeMs);
  } catch {
    return 'none';
  }
}

/** Where the code cache of the bundle with this id is. */
export function lintBundleCachePath(id: string, bundle: string = LINT_BUNDLE): string {
  return path.join(path.dirname(bundle), `lint-${id}.v8cache`);
}

export interface LoadedLintBundle {
  /** The content hash in the header, which names its code cache. */
  id: string;
  lintMain(argv: readonly string[]): Promise<number | undefined>;
  /** V8's code cache of the bundle as it is compiled now (after a run, it covers the functions that ran). */
  createCachedData(): Buffer;
  /** Whether V8 took the code cache (it refuses one made by another Node version or with other flags). */
  cacheAccepted: boolean;
}

/** The bundle, compiled with its code cache when V8 accepts it; undefined when it is absent or stale. */
export function loadLintBundle(bundle: string = LINT_BUNDLE, buildInfo: string = TS_BUILD_INFO): LoadedLintBundle | undefined {
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
    cachedData = fs.readFileSync(lintBundleCachePath(id, bundle));
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
  const module = { exports: {} as { lintMain: LoadedLintBundle['lintMain'] } };
  (script.runInThisContext() as (...args: unknown[]) => void)(module.exports, createRequire(bundle), module, bundle, path.dirname(bundle));
  return {
    id,
    lintMain: module.exports.lintMain,
    createCachedData: () => script.createCachedData(),
    cacheAccepted: cachedData !== undefined && !script.cachedDataRejected,
  };
}

/** `dbops lint …` through the bundle: the exit code, or undefined when main.ts must run (no bundle, or not a plain lint). */
export async function runLintBundle(argv: readonly string[]): Promise<number | undefined> {
  const bundle = loadLintBundle();
  return bundle ? bundle.lintMain(argv) : undefined;
}
