/** `dbops migrate plan --verify`: the pending statements traced on a scratch database primed with the live schema. */
import { useCluster } from '../harness/cluster';
import { newProject } from '../migrate/helpers';

const pg = useCluster();

describe('dbops migrate plan --verify', () => {
  it('replays the live schema on a scratch database, traces the pending statements and drops it; the target is untouched', async () => {
    const p = await newProject(pg, { '0001_create.sql': 'CREATE TABLE people (id int PRIMARY KEY, nick varchar(50));\n' });
    expect((await p.cli(['migrate'])).code).toBe(0);
    p.write('0002_widen.sql', 'ALTER TABLE people ALTER COLUMN nick TYPE varchar(100);\n');
    p.write('0003_bigint.sql', 'ALTER TABLE people ALTER COLUMN id TYPE bigint;\n');
    const plan = await p.cli(['migrate', 'plan', '--format', 'json', '--verify', pg().primary.url], { timeoutMs: 120_000 });
    expect(plan.stderr).toBe('');
    const doc = JSON.parse(plan.stdout);
    expect(doc.verification.statements.map((s: { file: string; observed: string; modelWasWrong: boolean }) => [s.file, s.observed, s.modelWasWrong])).toEqual([
      ['migrations/0002_widen.sql', 'AccessExclusiveLock on people', false],
      ['migrations/0003_bigint.sql', 'AccessExclusiveLock on people, rewrite, full scan, index build', false],
    ]);
    const text = await p.cli(['migrate', 'plan', '--verify', pg().primary.url], { timeoutMs: 120_000 });
    expect(text.stdout).toMatch(/Verified on .*dbops_verify_\w+ \(history replayed in \d+ ms\):\n {2}migrations\/0002_widen\.sql:1 {2}as predicted/);
    expect(await p.sql("SELECT character_maximum_length FROM information_schema.columns WHERE column_name = 'nick'")).toBe('50');
    expect(await pg().psql(pg().primary, "SELECT count(*) FROM pg_database WHERE datname LIKE 'dbops\\_verify\\_%'")).toBe('0');
  });
});
