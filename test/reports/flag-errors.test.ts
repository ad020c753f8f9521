import { runCli } from '../harness/cli';

describe('flag values oclif rejects keep their reason on the one error line', () => {
  it.each([
    [['report', 'connections', '--primary', 'postgres://u@127.0.0.1:1/db', '--limit', '0'], 3, 'error: Parsing --limit: Expected an integer greater than or equal to 1 but received: 0 — see --help'],
    [['report', 'connections', '--primary', 'postgres://u@127.0.0.1:1/db', '--top', 'many'], 3, 'error: Parsing --top: Expected an integer but received: many — see --help'],
    [['audit', 'queries', '--file', 'x.sql', '--max-joins', 'abc'], 2, 'error: Parsing --max-joins: Expected an integer but received: abc — see --help'],
  ])('%j', async (args, code, line) => {
    const r = await runCli(args as string[]);
    expect(r.code).toBe(code);
    expect(r.stderr.trim().split('\n')).toEqual([line]);
  });
});
