import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runCli, REPO_ROOT } from '../harness/cli';
import { useTempTrees } from '../harness/temp-tree';
import { loadConfig } from '../../src/config/load';
import { runInit } from '../../src/init/run';
import { WORKFLOW } from '../../src/init/templates';

/**
 * `dbops init` in an empty folder and in a folder of each layout it detects: the config it writes
 * loads, points at the right directory and tool, and `dbops lint` with no arguments then lints
 * those migrations. It never replaces a file unless asked and answered yes.
 */
const tree = useTempTrees('dbops-init-');

const configIn = (root: string) => loadConfig({ cwd: root, explicitPath: 'dbops.config.json' }).config;

const LAYOUTS: Array<{ name: string; files: Record<string, string>; dir: string; tool?: string; linted: string[] }> = [
  {
    name: 'Prisma',
    files: { 'prisma/schema.prisma': 'datasource db { provider = "postgresql" }\n', 'prisma/migrations/20240101000000_init/migration.sql': 'CREATE INDEX a_idx ON a (b);\n', 'prisma/migrations/migration_lock.toml': '' },
    dir: 'prisma/migrations',
    linted: ['prisma/migrations/20240101000000_init/migration.sql'],
  },
  {
    name: 'Drizzle',
    files: {
      'drizzle.config.ts': "import { defineConfig } from 'drizzle-kit';\nexport default defineConfig({ dialect: 'postgresql', out: './db/drizzle', schema: './src/schema.ts' });\n",
      'db/drizzle/0000_init.sql': 'CREATE INDEX a_idx ON a (b);\n',
      'db/drizzle/meta/_journal.json': JSON.stringify({ entries: [{ idx: 0, tag: '0000_init' }] }),
    },
    dir: 'db/drizzle',
    linted: ['db/drizzle/0000_init.sql'],
  },
  {
    name: 'Knex',
    files: { 'knexfile.js': "module.exports = { client: 'pg', migrations: { directory: './db/migrations' } };\n", 'db/migrations/20240101000000_a.sql': 'SELECT 1;\n' },
    dir: 'db/migrations',
    tool: 'knex',
    linted: ['db/migrations/20240101000000_a.sql'],
  },
  {
    name: 'TypeORM',
    files: { 'package.json': JSON.stringify({ dependencies: { typeorm: '1.1.1', pg: '8' } }), 'src/migrations/.keep': '' },
    dir: 'src/migrations',
    tool: 'typeorm',
    linted: [],
  },
  {
    name: 'Sequelize',
    files: { '.sequelizerc': "const path = require('path');\nmodule.exports = { 'migrations-path': path.resolve('db', 'migrate') };\n", 'db/migrate/.keep': '' },
    dir: 'db/migrate',
    tool: 'sequelize',
    linted: [],
  },
  {
    name: 'node-pg-migrate',
    files: { 'package.json': JSON.stringify({ devDependencies: { 'node-pg-migrate': '9.0.0' } }), 'migrations/.keep': '' },
    dir: 'migrations',
    tool: 'node-pg-migrate',
    linted: [],
  },
  {
    name: 'plain SQL',
    files: { 'db/migrations/0001_a.sql': 'SELECT 1;\n' },
    dir: 'db/migrations',
    linted: ['db/migrations/0001_a.sql'],
  },
];

describe('dbops init', () => {
  it('in an empty folder: a commented config that loads, with migrations/ as the directory', async () => {
    const root = tree();
    const res = await runCli(['init'], { cwd: root });
    expect(res.code).toBe(0);
    expect(res.stdout).toContain('found no migrations yet');
    const text = fs.readFileSync(path.join(root, 'dbops.config.json'), 'utf8');
    expect(text).toMatch(/^\s*\/\/ /m);
    expect(configIn(root)).toEqual({ pgVersion: 15, migrations: { dir: 'migrations' }, lint: { rules: {} } });
    expect(fs.readdirSync(root)).toEqual(['dbops.config.json']);
  });

  for (const layout of LAYOUTS) {
    it(`in a ${layout.name} project: migrations.dir ${layout.dir}${layout.tool ? `, migrationTool ${layout.tool}` : ''}, and a bare dbops lint lints it`, async () => {
      const root = tree(layout.files);
      const res = await runCli(['init'], { cwd: root });
      expect(res.code).toBe(0);
      const config = configIn(root);
      expect(config.migrations?.dir).toBe(layout.dir);
      expect(config.lint?.migrationTool).toBe(layout.tool);
      const lint = await runCli(['lint', '--format', 'json'], { cwd: root });
      expect((JSON.parse(lint.stdout) as { files: Array<{ path: string }> }).files.map((f) => f.path)).toEqual(layout.linted);
    });
  }

  it('before any init, a bare dbops lint finds the Prisma and Drizzle migrations by the tools\' own files', async () => {
    for (const layout of LAYOUTS.slice(0, 2)) {
      const root = tree(layout.files);
      const lint = await runCli(['lint', '--format', 'json'], { cwd: root });
      expect((JSON.parse(lint.stdout) as { files: Array<{ path: string }> }).files.map((f) => f.path)).toEqual(layout.linted);
    }
  });

  it('never replaces a file without asking: no keeps it, yes replaces it', async () => {
    const root = tree({ 'dbops.config.json': '{ "pgVersion": 13 }\n' });
    const questions: string[] = [];
    const no = await runInit({ root, ask: async (q) => (questions.push(q), false) });
    expect(no).toMatchObject({ written: [], kept: ['dbops.config.json'] });
    expect(fs.readFileSync(path.join(root, 'dbops.config.json'), 'utf8')).toBe('{ "pgVersion": 13 }\n');
    expect(questions).toEqual(['dbops.config.json exists: replace it?']);
    const yes = await runInit({ root, ask: async () => true });
    expect(yes.written).toEqual(['dbops.config.json']);
    expect(configIn(root).pgVersion).toBe(15);
  });

  it('without a terminal nobody can say yes: an existing config is kept and the CLI says so', async () => {
    const root = tree({ 'dbops.config.json': '{ "pgVersion": 13 }\n' });
    const res = await runCli(['init', '--ci'], { cwd: root });
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('dbops.config.json exists: replace it? no (not a terminal: nothing is replaced)');
    expect(res.stdout).toContain('kept dbops.config.json (exists; not replaced)');
    expect(res.stdout).toContain('wrote .github/workflows/dbops-lint.yml');
    expect(fs.readFileSync(path.join(root, 'dbops.config.json'), 'utf8')).toBe('{ "pgVersion": 13 }\n');
  });

  it('--hook writes an executable pre-commit hook into the repository; outside one it is a usage error', async () => {
    const root = tree();
    const outside = await runCli(['init', '--hook'], { cwd: root });
    expect(outside.code).toBe(2);
    expect(outside.stderr).toMatch(/^error: --hook needs a git repository, and .* is not inside one — .*\n$/);
    spawnSync('git', ['init', '-q'], { cwd: root });
    const inside = await runCli(['init', '--hook'], { cwd: root });
    expect(inside.stdout).toContain('wrote .git/hooks/pre-commit');
    const hook = path.join(root, '.git', 'hooks', 'pre-commit');
    expect(fs.statSync(hook).mode & 0o111).not.toBe(0);
    expect(fs.readFileSync(hook, 'utf8')).toContain('dbops lint --since HEAD');
  });

  it('--ci writes the workflow documented in docs/commands/lint.md, byte for byte', async () => {
    const root = tree();
    await runCli(['init', '--ci'], { cwd: root });
    expect(fs.readFileSync(path.join(root, '.github', 'workflows', 'dbops-lint.yml'), 'utf8')).toBe(WORKFLOW);
    expect(fs.readFileSync(path.join(REPO_ROOT, 'docs', 'commands', 'lint.md'), 'utf8')).toContain(`\`\`\`yaml\n${WORKFLOW}\`\`\``);
  });
});
