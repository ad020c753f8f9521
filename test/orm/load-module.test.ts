import { runCli } from '../harness/cli';
import { useTempTrees } from '../harness/temp-tree';
import { lintJson } from './helpers';

/**
 * Migration files that cannot be evaluated are input-error findings that say why; the other
 * files are still linted. The trees live outside the repository, so nothing of dbops's own
 * node_modules (typescript, knex) is found from them: like a project that lacks those packages.
 */
const tree = useTempTrees('dbops-orm-load-');

describe('loading JavaScript/TypeScript migrations', () => {
  it('a TypeScript migration in a project without typescript: an input-error saying to install it', async () => {
    const root = tree({
      'migrations/20240101000000_add_index.ts': "export async function up(knex: any): Promise<void> {\n  await knex.schema.raw('CREATE INDEX a_idx ON a (b)');\n}\n",
      'migrations/20240102000000_plain.sql': 'CREATE INDEX b_idx ON b (c);\n',
    });
    const res = await lintJson(root, 'migrations');
    expect(res.code).toBe(2);
    const input = res.findings.find((f) => f.ruleId === 'input-error')!;
    expect(input.file).toBe('migrations/20240101000000_add_index.ts');
    expect(input.message).toContain('the project has no typescript package');
    const text = await runCli(['lint', 'migrations'], { cwd: root });
    expect(text.stdout).toContain('npm install --save-dev typescript');
    // The SQL migration next to it is still linted.
    expect(res.findings.some((f) => f.ruleId === 'creating-index-non-concurrently' && f.file.endsWith('_plain.sql'))).toBe(true);
  });

  it('a JavaScript migration whose tool is not installed, and a file with no up: input errors naming the problem', async () => {
    const root = tree({
      'migrations/20240101000000_a.js': 'exports.up = (knex) => knex.raw("SELECT 1");\n',
      'migrations/20240102000000_helpers.js': 'exports.columns = ["a"];\n',
    });
    const res = await lintJson(root, 'migrations');
    const messages = res.findings.filter((f) => f.ruleId === 'input-error').map((f) => `${f.file}: ${f.message}`);
    expect(messages).toEqual([
      expect.stringMatching(/^migrations\/20240101000000_a\.js: .*none of knex, node-pg-migrate, sequelize or typeorm installed/),
      expect.stringMatching(/^migrations\/20240102000000_helpers\.js: .*exports no up migration/),
    ]);
  });
});
