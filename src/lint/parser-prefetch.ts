/**
 * Measured (docs/benchmarks.md): V8's optimising tier for the parser's large WASM module costs
 * 50–80 ms of main-thread time after the first parse, more than it ever wins back on a lint run
 * (10k statements parse faster on the baseline compiler too), so the flag must be set before the
 * module compiles. It is also part of the V8 flags a code cache is checked against, so the lint
 * bundle's loader sets it before compiling (src/cli/lint-bundle.ts).
 */
export function useBaselineWasmCompiler(): void {
  (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--liftoff-only');
}

/**
 * Starts compiling the parser's WASM as early as possible, so it overlaps with loading the
 * engine's modules, reading the config and the files. Safe to call more than once.
 */
export function prefetchParser(): void {
  useBaselineWasmCompiler();
  // A failure is reported where the engine awaits the same promise; here it only must not go unhandled.
  (require('../sql/parser') as typeof import('../sql/parser')).loadParser().catch(() => undefined);
}
