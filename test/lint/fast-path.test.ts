import { parseSimpleArgv } from '../../src/cli/fast-path';
import { LINT_FLAGS } from '../../src/cli/lint-flags';

describe('start-up fast path parser', () => {
  it('parses plain lint invocations like oclif would', () => {
    expect(parseSimpleArgv(['migrations', '-f', 'json', '--rule', 'a=off', '--rule=b=error', '--since=origin/main', '-', '--debug'], LINT_FLAGS)).toEqual({
      flags: { format: 'json', rule: ['a=off', 'b=error'], since: 'origin/main', debug: true },
      args: ['migrations', '-'],
    });
    expect(parseSimpleArgv(['x.sql'], LINT_FLAGS)).toEqual({ flags: { format: 'text' }, args: ['x.sql'] });
    expect(parseSimpleArgv(['--', '--weird-name.sql'], LINT_FLAGS)?.args).toEqual(['--weird-name.sql']);
  });

  it('hands anything it is unsure about to oclif', () => {
    for (const argv of [['--help'], ['-h'], ['--format', 'xml'], ['--bogus'], ['--format'], ['-fjson'], ['--list-rules=yes'], ['--since', 'a', '--since', 'b'], ['--constructor']]) {
      expect(parseSimpleArgv(argv, LINT_FLAGS)).toBeUndefined();
    }
  });
});
