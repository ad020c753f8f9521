import { DbopsError, formatErrorLine } from '../core/errors';
import { EXIT } from '../core/exit-codes';
import { debugEnabled } from './debug';
import { redactSecrets } from '../db/redact';

interface OclifLikeError {
  message: string;
  oclif?: { exit?: number };
  code?: string;
}

/**
 * Prints an error the way every dbops command does (one line, no stack unless --debug) and returns
 * the exit code to use.
 */
export function reportError(err: unknown, usageExitCode: number = EXIT.usage): number {
  const debug = debugEnabled();
  if (err instanceof DbopsError) {
    process.stderr.write(redactSecrets(formatErrorLine(err.message, err.hint)) + '\n');
    if (debug && err.stack) process.stderr.write(redactSecrets(err.stack) + '\n');
    return err.exitCode;
  }
  const e = err as OclifLikeError;
  if (e && typeof e.message === 'string' && e.oclif && typeof e.oclif.exit === 'number') {
    // oclif's own errors: flag parsing, unknown commands, this.exit().
    if (e.code === 'EEXIT') return e.oclif.exit;
    const code = e.oclif.exit === 2 || e.oclif.exit === 1 ? usageExitCode : e.oclif.exit;
    const hint = /command .* not found/i.test(e.message) ? 'run `dbops --help` to list commands' : 'see --help';
    // oclif puts the reason on the lines after "Parsing --flag"; keep it on the one line we print.
    const reason = e.message.replace(/^Error: /, '').split('\n').map((l) => l.trim()).filter((l) => l && !/^See more help/.test(l)).join(': ');
    process.stderr.write(redactSecrets(formatErrorLine(reason, hint)) + '\n');
    if (debug && (err as Error).stack) process.stderr.write(redactSecrets((err as Error).stack!) + '\n');
    return code;
  }
  const message = err instanceof Error ? err.message : String(err);
  process.stderr.write(
    redactSecrets(formatErrorLine(`internal error: ${message}`, debug ? undefined : 'rerun with --debug and report it')) + '\n',
  );
  if (debug && err instanceof Error && err.stack) process.stderr.write(redactSecrets(err.stack) + '\n');
  return EXIT.failed;
}
