import { Args } from '@oclif/core';
import { DbopsCommand } from '../cli/base-command';
import { LINT_FLAGS } from '../cli/lint-flags';
import { oclifFlags } from '../cli/oclif-flags';
import type { LintFlags } from '../lint/run';

/**
 * `dbops lint [PATHS...]`: thin on purpose. The work (and every heavy import) is in
 * src/lint/run.ts, which the start-up fast path calls directly for plain invocations.
 */
export default class Lint extends DbopsCommand {
  static override description =
    'Lint SQL migrations offline: find statements that rewrite or scan a busy table under a strong lock, block readers or writers, or break running clients, and print the safe way to make the same change.';

  static override strict = false;

  static override args = {
    paths: Args.string({ description: 'migration files, directories or globs, or - for standard input (default: migrations.dir from the config)' }),
  };

  static override flags = oclifFlags(LINT_FLAGS);

  static override examples = [
    '<%= config.bin %> lint migrations/',
    "<%= config.bin %> lint 'db/migrations/**/*.sql' --pg-version 13",
    '<%= config.bin %> lint migrations/ --since origin/main --format github',
    '<%= config.bin %> lint migrations/ --format sarif > dbops.sarif',
    'cat 0042_add_index.sql | <%= config.bin %> lint -',
    '<%= config.bin %> lint --explain <rule-id>',
  ];

  async run(): Promise<void> {
    const { argv, flags } = await this.parse(Lint);
    const { runLintCommand } = require('../lint/run') as typeof import('../lint/run');
    process.exitCode = await runLintCommand(flags as unknown as LintFlags, argv as string[]);
  }
}
