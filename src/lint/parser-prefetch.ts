/**
 * Starts compiling the parser's WASM as early as possible, so it overlaps with loading the
 * engine's modules, reading the config and the files. Safe to call more than once.
 *
 * Measured (docs/benchmarks.md): V8's optimising tier for the parser's large WASM module costs
 * 50–80 ms of main-thread time after the first parse, more than it ever wins back on a lint run
 * (10k statements parse faster on the baseline compiler too), so the flag must be set before the
 * module compiles.
 */
export function prefetchParser(): void {
  (require('node:v8') as typeof import('node:v8')).setFlagsFromString('--liftoff-only');
  // A failure is reported where the engine awaits the same promise; here it only must not go unhandled.
  (require('../sql/parser') as typeof import('../sql/parser')).loadParser().catch(() => undefined);
}
