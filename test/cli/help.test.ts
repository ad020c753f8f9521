import { runCli } from '../harness/cli';

describe('dbops --help', () => {
  it('lists every command topic with its own description, not one borrowed from a subcommand', async () => {
    const r = await runCli(['--help']);
    expect(r.code).toBe(0);
    const topics = r.stdout.slice(r.stdout.indexOf('TOPICS'));
    for (const [topic, words] of [
      ['audit', 'join too many tables'],
      ['migrate', 'lock timeout'],
      ['backfill', 'resumable'],
      ['report', 'replica lag'],
      ['sessions', 'idle in a transaction'],
      ['timeouts', 'idle_in_transaction_session_timeout'],
    ]) {
      expect(topics).toMatch(new RegExp(`\\n  ${topic} +[^\\n]*${words.split(' ')[0]}`));
    }
    expect(r.stdout).toMatch(/\n {2}lint +Lint SQL migrations offline/);
  });
});
