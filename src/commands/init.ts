import { Flags } from '@oclif/core';
import { DbopsCommand } from '../cli/base-command';
import { dbopsCommand } from '../core/dbops-command';

/** `dbops init`: write a commented config for the migration layout found here; a hook and a CI workflow on request. */
export default class Init extends DbopsCommand {
  static override description =
    'Write a commented dbops.config.json for the migration layout found here (Prisma, Drizzle, Knex, TypeORM, Sequelize, node-pg-migrate, SQL), and on request a git pre-commit hook and a GitHub Actions workflow. Never replaces a file without asking.';

  static override examples = ['<%= config.bin %> init', '<%= config.bin %> init --hook --ci'];

  static override flags = {
    hook: Flags.boolean({ description: 'also write a git pre-commit hook that lints the changed migrations' }),
    ci: Flags.boolean({ description: 'also write .github/workflows/dbops-lint.yml (one pull request comment, updated on every push)' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parse(Init);
    const { runInit } = await import('../init/run');
    const { askOnTerminal } = await import('../init/ask');
    const result = await runInit({ root: process.cwd(), hook: flags.hook, ci: flags.ci, ask: askOnTerminal });
    const found = result.layouts.map((l) => `${l.tool} migrations in ${l.dir}/ (${l.evidence})`);
    this.log(found.length > 0 ? `found ${found.join('; ')}` : 'found no migrations yet: migrations.dir is set to migrations/');
    for (const file of result.written) this.log(`wrote ${file}`);
    for (const file of result.kept) this.log(`kept ${file} (exists; not replaced)`);
    if (result.written.includes('dbops.config.json')) this.log(`next: ${dbopsCommand('lint')}`);
  }
}
