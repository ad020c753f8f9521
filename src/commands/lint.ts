import { Args, Flags, type Interfaces } from '@oclif/core';
import { DbopsCommand } from '../cli/base-command';
import type { FlagSpec } from '../cli/fast-path';
import { LINT_FLAGS } from '../cli/lint-flags';
import type { LintFlags } from '../lint/run';

/** oclif flags from the plain flag specs shared with the start-up fast path. */
function oclifFlags(specs: Record<string, FlagSpec>): Interfaces.FlagInput {
  return Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [
      name,
      spec.type === 'boolean'
        ? Flags.boolean({ description: spec.description })
        : Flags.string({ description: spec.description, char: spec.char as 'f' | undefined, options: spec.options as string[] | undefined, helpValue: spec.helpValue, default: spec.default, multiple: spec.multiple as false }),
    ]),
  ) as Interfaces.FlagInput;
}

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
