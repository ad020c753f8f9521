/** --debug anywhere on the command line (or DBOPS_DEBUG=1) turns on stack traces. */
export function debugEnabled(argv: readonly string[] = process.argv): boolean {
  return argv.includes('--debug') || process.env.DBOPS_DEBUG === '1';
}
