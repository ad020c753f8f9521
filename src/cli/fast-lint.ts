import { parseSimpleArgv } from './fast-path';
import { reportError } from './report-error';
import { LINT_FLAGS } from './lint-flags';
import type { LintFlags } from '../lint/run';

/** `dbops lint …` without oclif when the invocation is plain; undefined hands it to oclif. */
export async function fastLint(argv: readonly string[]): Promise<number | undefined> {
  const parsed = parseSimpleArgv(argv, LINT_FLAGS);
  if (!parsed) return undefined;
  try {
    if (parsed.flags.explain === undefined) (require('../lint/parser-prefetch') as typeof import('../lint/parser-prefetch')).prefetchParser();
    const { runLintCommand } = require('../lint/run') as typeof import('../lint/run');
    return await runLintCommand(parsed.flags as unknown as LintFlags, parsed.args);
  } catch (err) {
    return reportError(err);
  }
}
