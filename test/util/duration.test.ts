import { parseDuration, parseSettingMs } from '../../src/util/duration';
import { UsageError } from '../../src/core/errors';
import { runCli } from '../harness/cli';

describe('parseDuration: one rule for every duration', () => {
  it.each([
    ['250ms', 250],
    ['5s', 5000],
    ['5 min', 300_000],
    ['1.5h', 5_400_000],
    ['2d', 172_800_000],
    ['500us', 0.5],
    ['0', 0],
  ])('%s is %d ms', (text, ms) => {
    expect(parseDuration(text)).toBe(ms);
  });

  it('refuses a bare number, naming the units and the fix', () => {
    expect(() => parseDuration('5', '--warn')).toThrow(UsageError);
    try {
      parseDuration('5', '--warn');
    } catch (err) {
      expect((err as UsageError).message).toBe('--warn "5" has no unit');
      expect((err as UsageError).hint).toBe('write 5s or 5ms (units: us, ms, s, min, h, d); a bare number is accepted only for 0');
    }
  });

  it('values PostgreSQL stored keep its own meaning: a bare number is milliseconds', () => {
    expect(parseSettingMs('60000')).toBe(60_000);
    expect(parseSettingMs('1min')).toBe(60_000);
  });
});

/** Every duration flag of every command (backfill's are parsed by the same function in src/backfill/settings.ts). */
const FLAGS: Array<{ args: string[]; flag: string; code: number }> = [
  { args: ['report', 'lag'], flag: '--warn', code: 3 },
  { args: ['report', 'lag'], flag: '--critical', code: 3 },
  { args: ['report', 'lag'], flag: '--watch', code: 3 },
  { args: ['report', 'connections'], flag: '--connect-timeout', code: 3 },
  { args: ['report', 'connections'], flag: '--statement-timeout', code: 3 },
  { args: ['migrate'], flag: '--lock-timeout', code: 2 },
  { args: ['migrate'], flag: '--statement-timeout', code: 2 },
  { args: ['migrate'], flag: '--retry-delay', code: 2 },
  { args: ['migrate', 'plan'], flag: '--lock-timeout', code: 2 },
  { args: ['sessions', 'idle'], flag: '--older-than', code: 2 },
  { args: ['timeouts', 'check'], flag: '--max-idle-in-transaction', code: 2 },
  { args: ['timeouts', 'enforce', '--all-login-roles'], flag: '--idle-in-transaction', code: 2 },
  { args: ['backfill', 'run', '--table', 't', '--set', 'v = 1'], flag: '--max-replica-lag', code: 2 },
  { args: ['backfill', 'run', '--table', 't', '--set', 'v = 1'], flag: '--sleep', code: 2 },
];

describe('every duration flag refuses a bare number before connecting', () => {
  // An unreachable server: a flag parsed only after connecting would fail with exit 3 instead.
  const url = 'postgres://nobody@127.0.0.1:1/postgres';
  it('all of them, one line, the fix named', async () => {
    const results = [];
    for (let i = 0; i < FLAGS.length; i += 4) {
      results.push(
        ...(await Promise.all(
          FLAGS.slice(i, i + 4).map(async (f) => {
            const where = f.args[0] === 'report' ? ['--primary', url] : ['--url', url];
            const r = await runCli([...f.args, ...where, f.flag, '5'], { env: { DATABASE_URL: '' } });
            return { f, r };
          }),
        )),
      );
    }
    for (const { f, r } of results) {
      expect({ command: `${f.args.join(' ')} ${f.flag} 5`, code: r.code, stderr: r.stderr.trim() }).toEqual({
        command: `${f.args.join(' ')} ${f.flag} 5`,
        code: f.code,
        stderr: expect.stringMatching(new RegExp(`^error: [^\\n]*"5" has no unit — write 5s or 5ms \\(units: us, ms, s, min, h, d\\); a bare number is accepted only for 0$`)),
      });
    }
  }, 300_000);
});

describe('sessions idle --older-than 0', () => {
  it('is refused with the fix: it would select transactions between two statements', async () => {
    const r = await runCli(['sessions', 'idle', '--url', 'postgres://nobody@127.0.0.1:1/postgres', '--older-than', '0', '--terminate', '--yes']);
    expect(r.code).toBe(2);
    expect(r.stderr.trim()).toBe('error: --older-than must be above 0 — give a threshold such as 30s, or leave --older-than out to list every idle-in-transaction session');
  });
});
