import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT, runCli } from '../harness/cli';
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
    expect(input.message).toBe('migrations/20240101000000_add_index.ts cannot be loaded: it is TypeScript, and the project has no typescript package');
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
      expect.stringMatching(/^migrations\/20240101000000_a\.js: migrations\/20240101000000_a\.js belongs to no installed migration tool: .*none of knex, node-pg-migrate, sequelize or typeorm installed/),
      expect.stringMatching(/^migrations\/20240102000000_helpers\.js: migrations\/20240102000000_helpers\.js exports no up migration/),
    ]);
  });
});

describe('migrations that fail while their SQL is recorded', () => {
  // Inside the repository, so knex and typeorm (dev dependencies) are found as a project's would be.
  const root = path.join(REPO_ROOT, '.tmp', 'orm-failing');
  beforeAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
    fs.mkdirSync(path.join(root, 'migrations'), { recursive: true });
    fs.writeFileSync(path.join(root, 'migrations', '20240101000000_reads_data.js'), [
      'exports.up = async (knex) => {',
      "  const [first] = await knex('orders').select('id').limit(1);",
      "  await knex.raw(`UPDATE orders SET total = 0 WHERE id = ${first.id}`);",
      '};',
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(root, 'migrations', '1704067200001-ChangeByName.ts'), [
      "import { MigrationInterface, QueryRunner, TableColumn } from 'typeorm';",
      'export class ChangeByName1704067200001 implements MigrationInterface {',
      '  public async up(queryRunner: QueryRunner): Promise<void> {',
      "    await queryRunner.changeColumn('orders', 'total', new TableColumn({ name: 'total', type: 'bigint' }));",
      '  }',
      '  public async down(): Promise<void> {}',
      '}',
      '',
    ].join('\n'));
    fs.writeFileSync(path.join(root, 'migrations', '20240102000000_fine.sql'), 'CREATE INDEX b_idx ON b (c);\n');
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('are input errors that say what failed; the SQL recorded before is not linted half-way, the other files are', async () => {
    const res = await lintJson(root, 'migrations');
    const inputs = res.findings.filter((f) => f.ruleId === 'input-error').map((f) => `${f.file}: ${f.message}`);
    expect(inputs).toEqual([
      'migrations/1704067200001-ChangeByName.ts: migrations/1704067200001-ChangeByName.ts failed while dbops recorded the SQL typeorm sends: Column "total" was not found in the "orders" table.',
      "migrations/20240101000000_reads_data.js: migrations/20240101000000_reads_data.js failed while dbops recorded the SQL knex sends: Cannot read properties of undefined (reading 'id')",
    ]);
    expect(res.findings.some((f) => f.ruleId === 'creating-index-non-concurrently' && f.file === 'migrations/20240102000000_fine.sql')).toBe(true);
    expect(res.code).toBe(2);
  });
});
