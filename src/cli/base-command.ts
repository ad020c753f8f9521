import { Command, Flags } from '@oclif/core';
import { reportError } from './report-error';
import { EXIT } from '../core/exit-codes';
import { loadConfig, type LoadedConfig } from '../config/load';

/**
 * Base of every dbops command: the global --debug and --config flags, configuration loading and
 * the one-line error contract. Commands stay thin: parse flags, call core, render.
 */
export abstract class DbopsCommand extends Command {
  static override baseFlags = {
    debug: Flags.boolean({ description: 'print stack traces for errors', helpGroup: 'GLOBAL' }),
    config: Flags.string({
      description: 'path to dbops.config.json (default: the nearest one walking up from the current directory)',
      helpGroup: 'GLOBAL',
    }),
  };

  /** Exit code for bad flags; the reports override it with the monitoring UNKNOWN (3). */
  protected usageExitCode: number = EXIT.usage;

  protected loadConfig(configPath: string | undefined): LoadedConfig {
    return loadConfig({ explicitPath: configPath, cwd: process.cwd() });
  }

  protected override async catch(err: Error & { exitCode?: number }): Promise<void> {
    // A flag error is a parse that ran and failed; without this oclif warns the command never parsed.
    this.parsed = true;
    process.exitCode = reportError(err, this.usageExitCode);
  }
}
