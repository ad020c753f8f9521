/**
 * A dbops command line as the user can type it, for hints and next steps. The package puts no
 * `dbops` on the PATH (the README runs it as `npx dbops`), so when npx or `npm exec` started this
 * process the hint says `npx dbops …`; a global install or `npm link` runs plain `dbops …`.
 */
export function dbopsCommand(args: string): string {
  return `${process.env.npm_command === 'exec' ? 'npx dbops' : 'dbops'} ${args}`;
}
