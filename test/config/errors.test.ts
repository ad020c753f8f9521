import { runCli } from '../harness/cli';
import { useTempTrees } from '../harness/temp-tree';

/**
 * A mistake in dbops.config.json is reported by `dbops config show` (exit 2) and by the command
 * that reads the section, each time naming the file and the key, so it is never taken for a
 * mistake in the flags (#17 item 11).
 */
describe('config errors name the config file', () => {
  const tree = useTempTrees('dbops-config-');

  // [what, config, a command that reads the section (none of them reaches a server), its exit code for bad usage, the key named]
  const cases: Array<[string, object, string[], number, string]> = [
    ['a rule id no rule has', { lint: { rules: { 'require-lock-timeout': 'off' } } }, ['lint', 'm'], 2, 'lint.rules names unknown lint rule "require-lock-timeout"'],
    ['rule options for an unknown rule', { lint: { options: { 'no-such-rule': {} } } }, ['lint', 'm'], 2, 'lint.rules / lint.options names unknown lint rule "no-such-rule"'],
    ['an audit threshold below 1', { audit: { maxJoins: { warning: 0 } } }, ['audit', 'queries', '--file', 'm'], 2, 'audit.maxJoins.warning must be'],
    ['a timeout policy without a unit', { timeouts: { policy: { idleInTransaction: '60' } } }, ['timeouts', 'check', '--url', 'postgres://u@127.0.0.1:1/db'], 2, 'timeouts.policy.idleInTransaction'],
    ['exempt roles that are not a list', { timeouts: { policy: { exemptRoles: 'etl' } } }, ['timeouts', 'check', '--url', 'postgres://u@127.0.0.1:1/db'], 2, 'timeouts.policy.exemptRoles must be a list'],
    ['a replica without a name', { topology: { primary: 'postgres://u@127.0.0.1:1/db', replicas: [{ url: 'postgres://u@127.0.0.1:2/db' }] } }, ['report', 'lag'], 3, 'topology.replicas[0] needs a "name"'],
    ['a malformed topology URL', { topology: { primary: 'postgres://u@127.0.0.1:notaport/db' } }, ['report', 'lag'], 3, 'topology: '],
    ['an unknown backfill key', { backfill: { batchsize: 10 } }, ['backfill', 'run', '--table', 't', '--set', 'a = 1'], 2, 'unknown key backfill.batchsize'],
    ['a backfill lock timeout above the policy', { backfill: { lockTimeout: '10s' } }, ['backfill', 'run', '--table', 't', '--set', 'a = 1'], 2, 'backfill.lockTimeout 10s is outside policy.maxLockTimeout'],
    ['migrate retries out of range', { migrations: { retries: 1000 } }, ['migrate', 'status', '--url', 'postgres://u@127.0.0.1:1/db'], 2, 'migrations.retries must be a whole number'],
    ['a section that is not an object', { audit: [] }, ['audit', 'queries', '--file', 'm'], 2, 'audit must be an object'],
    ['a migrations directory that is not a string', { migrations: { dir: 5 } }, ['lint'], 2, 'migrations.dir must be a non-empty string'],
  ];

  it.each(cases)('%s: config show and the command that reads it fail, naming the file', async (_what, config, args, code, key) => {
    const root = tree({ 'dbops.config.json': JSON.stringify(config), 'm/0001_a.sql': 'SELECT 1;\n' });
    const expected = `error: ${root}/dbops.config.json: ${key}`;
    const show = await runCli(['config', 'show'], { cwd: root });
    expect({ code: show.code, stderr: show.stderr.slice(0, expected.length) }).toEqual({ code: 2, stderr: expected });
    expect(show.stdout).toBe('');
    const used = await runCli(args, { cwd: root, env: { DATABASE_URL: '', PGHOST: '' } });
    expect({ code: used.code, stderr: used.stderr.slice(0, expected.length) }).toEqual({ code, stderr: expected });
    expect(used.stderr.trim().split('\n')).toHaveLength(1);
  });

  it('config show rejects a database.url the driver cannot read, naming the file and key, never the password', async () => {
    const root = tree({ 'dbops.config.json': JSON.stringify({ database: { url: 'postgres://app:Pa55word@db:notaport/app' } }) });
    const show = await runCli(['config', 'show'], { cwd: root });
    expect(show.code).toBe(2);
    expect(show.stderr).toMatch(new RegExp(`^error: ${root}/dbops\\.config\\.json: database\\.url: `));
    expect(show.stderr).not.toContain('Pa55word');
  });

  it('config show accepts a config every command accepts, and prints the file it read', async () => {
    const root = tree({
      'dbops.config.json': JSON.stringify({ lint: { rules: { 'lock-timeout': 'off' }, options: { 'multiple-strong-locks': { maxTables: 2 } } }, backfill: { lockTimeout: '2s' } }),
    });
    const show = await runCli(['config', 'show'], { cwd: root });
    expect(show.stderr).toBe('');
    expect(show.code).toBe(0);
    expect(JSON.parse(show.stdout)).toMatchObject({ file: `${root}/dbops.config.json`, config: { backfill: { lockTimeout: '2s' } } });
  });

  it('--rule with an unknown id is a flag error, not a config one', async () => {
    const root = tree({ 'm/0001_a.sql': 'SELECT 1;\n' });
    const r = await runCli(['lint', 'm', '--rule', 'require-lock-timeout=off'], { cwd: root });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: unknown lint rule "require-lock-timeout" — /);
  });
});
