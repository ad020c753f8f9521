import * as path from 'node:path';
import { run, flush } from '@oclif/core';
import { reportError } from './report-error';

const ROOT = path.resolve(__dirname, '..', '..', '..');

/** The `dbops` entry point: runs oclif and turns any escaping error into one line and an exit code. */
export async function main(argv: string[]): Promise<void> {
  try {
    await run(argv, ROOT);
    await flush();
  } catch (err) {
    process.exitCode = reportError(err);
  }
}
