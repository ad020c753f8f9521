import { execFileSync } from 'node:child_process';
import { resumeCommand } from '../../src/backfill/resume-command';

/** The line printed after Ctrl-C must paste and run as is: a masked `***` URL could not (#17 item 13). */
describe('the command printed to resume an interrupted backfill', () => {
  const secretUrl = 'postgres://app:S3cret-pw@db1:5432/app';
  const base = ['backfill', 'run', '--table', 'orders', '--set', "note = 'it''s done'"];

  /** What a shell passes to the program for the printed line, with `env` exported. */
  const argvOf = (line: string, env: Record<string, string>) =>
    JSON.parse(execFileSync('bash', ['-c', `npx() { node -e 'console.log(JSON.stringify(process.argv.slice(1)))' -- "$@"; }; ${line}`], { env: { ...env, PATH: process.env.PATH } }).toString());

  it('names the variable that holds the URL, and the shell turns the line back into the same arguments', () => {
    const argv = ['--url', secretUrl, ...base];
    const env = { DATABASE_URL: secretUrl };
    const r = resumeCommand(argv, env);
    expect(r).toEqual({ command: expect.stringMatching(/^npx dbops --url "\$DATABASE_URL" backfill run --table orders --set '/), toSet: [] });
    expect(argvOf(r.command, env)).toEqual(['dbops', ...argv]);
  });

  it('finds any variable holding it, in --flag=value form and for --replica NAME=URL too', () => {
    const replica = 'postgres://mon:An0ther@db2/app';
    const env = { PRIMARY: secretUrl, STANDBY: replica };
    const argv = [...base, `--url=${secretUrl}`, '--replica', `standby1=${replica}`, '--max-replica-lag', '2s'];
    const r = resumeCommand(argv, env);
    expect(r.command).toMatch(/' --url "\$PRIMARY" --replica standby1="\$STANDBY" --max-replica-lag 2s$/);
    expect(r.toSet).toEqual([]);
    expect(argvOf(r.command, env)).toEqual(['dbops', ...base, '--url', secretUrl, '--replica', `standby1=${replica}`, '--max-replica-lag', '2s']);
  });

  it('prints a URL without a password as given', () => {
    const r = resumeCommand([...base, '--url', 'postgres://app@db1/app'], {});
    expect(r).toEqual({ command: expect.stringMatching(/ --url postgres:\/\/app@db1\/app$/), toSet: [] });
  });

  it('never prints a password: a URL no variable holds becomes a placeholder the operator sets', () => {
    const conninfo = 'host=db2 user=mon password=An0ther';
    const r = resumeCommand([...base, '--url', secretUrl, '--replica', `standby-1=${conninfo}`], { OTHER: 'x' });
    expect(r.command).toMatch(/ --url "\$DATABASE_URL" --replica standby-1="\$STANDBY_1_URL"$/);
    expect(r.toSet).toEqual([
      'DATABASE_URL set to the connection string given to --url (not printed: it holds a password)',
      'STANDBY_1_URL set to the connection string given to --replica standby-1=… (not printed: it holds a password)',
    ]);
    expect(JSON.stringify(r)).not.toMatch(/S3cret|An0ther|\*\*\*/);
    expect(argvOf(r.command, { DATABASE_URL: secretUrl, STANDBY_1_URL: conninfo })).toEqual(['dbops', ...base, '--url', secretUrl, '--replica', `standby-1=${conninfo}`]);
  });
});
