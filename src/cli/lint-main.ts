import { fastLint } from './fast-lint';
import { registerProcessSecrets } from './process-secrets';

/**
 * The entry of the bundled lint fast path (dist/bundle/lint.js, built by scripts/bundle-lint.js
 * and loaded by bin/run.js through lint-bundle.ts): `dbops lint …` in one file, so start-up does
 * not resolve and read ~90 modules. Returns the exit code, or undefined when the invocation is not
 * a plain lint; bin/run.js then runs main.ts, which is not bundled (oclif loads its commands from
 * dist/src/commands, and they must share modules such as the secrets registry with their caller).
 */
export async function lintMain(argv: readonly string[]): Promise<number | undefined> {
  registerProcessSecrets(argv);
  return fastLint(argv.slice(1));
}
