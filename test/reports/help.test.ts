import { runCli } from '../harness/cli';

describe('--help of the on-call commands', () => {
  it.each([['report', 'lag'], ['report', 'connections'], ['report', 'workload'], ['audit', 'queries'], ['timeouts', 'check'], ['timeouts', 'enforce'], ['sessions', 'idle']])(
    '%s %s: exit 0, usage and flags, no empty "[default: ]" on repeatable flags',
    async (topic, command) => {
      const r = await runCli([topic, command, '--help']);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`$ dbops ${topic} ${command}`);
      expect(r.stdout).not.toMatch(/\[default: \]/);
    },
  );
});
