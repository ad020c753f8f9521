import { parseSimpleArgv } from './fast-path';
import { BACKFILL_RUN_FLAGS } from './backfill-flags';
import { reportError } from './report-error';
import { runBackfillCommand, type BackfillRunFlags } from './run-backfill';

/**
 * `dbops backfill run …` without oclif when the invocation is plain (loading oclif and every
 * command is a tenth of a short backfill's wall time); undefined hands it to oclif (help, unknown
 * flags, bad values, --set with --sql, no --table, other backfill commands).
 */
export async function fastBackfill(argv: readonly string[]): Promise<number | undefined> {
  if (argv[0] !== 'run') return undefined;
  const parsed = parseSimpleArgv(argv.slice(1), BACKFILL_RUN_FLAGS);
  if (!parsed || parsed.args.length > 0) return undefined;
  try {
    return await runBackfillCommand(parsed.flags as unknown as BackfillRunFlags);
  } catch (err) {
    return reportError(err);
  }
}
