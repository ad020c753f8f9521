import * as path from 'node:path';
import { REPO_ROOT, runCli } from '../harness/cli';

/**
 * Hints name the command the way the user can type it: the package puts no `dbops` on the PATH,
 * so under npx (npm sets npm_command=exec) they say `npx dbops …`, and plain `dbops …` otherwise.
 */
describe('the dbops command named in hints', () => {
  const example = path.join(REPO_ROOT, 'examples', 'migrations', '0045_require_customer_email.sql');

  it('is `npx dbops` when npx started dbops', async () => {
    const r = await runCli(['lint', example], { env: { ...process.env, npm_command: 'exec', NO_COLOR: '1' } });
    expect(r.stdout).toMatch(/^ {2}docs: npx dbops lint --explain [a-z-]+$/m);
    const bad = await runCli(['lint', '--explain', 'no-such-rule'], { env: { ...process.env, npm_command: 'exec' } });
    expect(bad.stderr).toMatch(/run `npx dbops lint --list-rules` to see the rule ids/);
  });

  it('is plain `dbops` for a global install or npm link', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1' };
    delete env.npm_command;
    const r = await runCli(['lint', example], { env });
    expect(r.stdout).toMatch(/^ {2}docs: dbops lint --explain [a-z-]+$/m);
    expect(r.stdout).not.toMatch(/npx dbops/);
  });
});
