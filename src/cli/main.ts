import * as path from 'node:path';
import { reportError } from './report-error';
import { registerConnectionSecrets, registerSecret } from '../db/redact';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/**
 * The `dbops` entry point: runs oclif and turns any escaping error into one line and an exit code.
 * `dbops lint` and `dbops report lag|connections` with plain arguments skip oclif (see fast-path.ts);
 * oclif is required lazily for that.
 */
export async function main(argv: string[]): Promise<void> {
  // Any argument or variable may carry a password, malformed or not: mask them before anything can print them.
  for (const arg of argv) registerConnectionSecrets(arg);
  registerConnectionSecrets(process.env.DATABASE_URL);
  registerSecret(process.env.PGPASSWORD);
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
  const { run, flush } = require('@oclif/core') as typeof import('@oclif/core');
  try {
    await run(argv, ROOT);
    await flush();
  } catch (err) {
    process.exitCode = reportError(err);
  }
}
