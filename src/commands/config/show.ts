import { DbopsCommand } from '../../cli/base-command';
import { redactSecrets } from '../../db/redact';
import { formatDuration } from '../../util/duration';

export default class ConfigShow extends DbopsCommand {
  static override description =
    'Show the configuration dbops uses here: which dbops.config.json was found and the effective values. Checks every section as the commands that read it would (exit 2 on a mistake).';
  static override examples = ['<%= config.bin %> config show', '<%= config.bin %> config show --config ci/dbops.config.json'];

  async run(): Promise<void> {
    const { flags } = await this.parse(ConfigShow);
    const loaded = this.loadConfig(flags.config);
    const { checkConfig } = await import('../../cli/check-config');
    await checkConfig(loaded);
    const effective = {
      file: loaded.path ?? null,
      pgVersion: loaded.pgVersion,
      maxLockTimeout: formatDuration(loaded.maxLockTimeoutMs),
      config: loaded.config,
    };
    this.log(redactSecrets(JSON.stringify(effective, null, 2)));
  }
}
