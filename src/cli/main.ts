import * as path from 'node:path';
import { reportError } from './report-error';
import { registerProcessSecrets } from './process-secrets';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * The `dbops` entry point: runs oclif and turns any escaping error into one line and an exit code.
 * `dbops lint`, `dbops report lag|connections` and `dbops backfill run` with plain arguments skip oclif (see fast-path.ts);
 * oclif is required lazily for that.
 * bin/run.js tries the bundled lint fast path (lint-main.ts) first; this is what runs when it is
 * absent or hands the invocation on.
 */
export async function main(argv: string[]): Promise<void> {
  registerProcessSecrets(argv);
  if (argv[0] === 'lint') {
    const code = await (require('./fast-lint') as typeof import('./fast-lint')).fastLint(argv.slice(1));
    if (code !== undefined) {
      process.exitCode = code;
      return;
    }
  }
  if (argv[0] === 'report') {
    const code = await (require('./fast-report') as typeof import('./fast-report')).fastReport(argv.slice(1));
    if (code !== undefined) {
      process.exitCode = code;
      return;
    }
  }
  if (argv[0] === 'backfill') {
    const code = await (require('./fast-backfill') as typeof import('./fast-backfill')).fastBackfill(argv.slice(1));
    if (code !== undefined) {
      process.exitCode = code;
      return;
    }
  }
  const { run, flush } = require('@oclif/core') as typeof import('@oclif/core');
  try {
    await run(argv, ROOT);
    await flush();
  } catch (err) {
    process.exitCode = reportError(err);
  }
}
