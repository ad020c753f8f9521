import { buildInfoMtime, bundleCachePath, bundleHeader, LINT_BUNDLE, loadBundle } from '../lint/code-bundle';

/**
 * The bundled lint fast path (entry: lint-main.ts; dist/bundle/lint.js, see src/lint/code-bundle.ts
 * for how bundles are built, cached and checked against the tsc output).
 */
export { buildInfoMtime, LINT_BUNDLE };
export const lintBundleHeader = bundleHeader;

/** Where the code cache of the lint bundle with this id is. */
export function lintBundleCachePath(id: string, bundle: string = LINT_BUNDLE): string {
  return bundleCachePath(id, bundle);
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

/** The lint bundle, compiled with its code cache when V8 accepts it; undefined when it is absent or stale. */
export function loadLintBundle(bundle: string = LINT_BUNDLE, buildInfo?: string): LoadedLintBundle | undefined {
  const loaded = loadBundle<{ lintMain: LoadedLintBundle['lintMain'] }>(bundle, buildInfo);
  if (!loaded) return undefined;
  const { id, exports, createCachedData, cacheAccepted } = loaded;
  return { id, lintMain: exports.lintMain, createCachedData, cacheAccepted };
}

/** `dbops lint …` through the bundle: the exit code, or undefined when main.ts must run (no bundle, or not a plain lint). */
export async function runLintBundle(argv: readonly string[]): Promise<number | undefined> {
  const bundle = loadLintBundle();
  return bundle ? bundle.lintMain(argv) : undefined;
}
