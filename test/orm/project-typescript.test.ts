import * as fs from 'node:fs';
import * as path from 'node:path';
import { REPO_ROOT } from '../harness/cli';
import { evaluateOrmMigration } from '../../src/orm/evaluate';

/**
 * TypeScript migrations that import the project's own TypeScript modules, by a relative path or
 * by an alias from tsconfig.json's `paths` (what ts-node with tsconfig-paths resolves when the
 * tool runs them): dbops loads those modules as well, transpiled in memory.
 */
describe('TypeScript migrations importing the project\'s own modules', () => {
  // Inside the repository, so typeorm and typescript (dev dependencies) are found as a project's would be.
  const root = path.join(REPO_ROOT, '.tmp', 'orm-project-imports');
  const write = (file: string, lines: string[]) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), lines.join('\n'));
  };
  beforeAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
    write('tsconfig.base.json', ['{ "compilerOptions": { "baseUrl": ".", "paths": { "@/*": ["src/*"], "~settings": ["src/settings/index.ts"] } } }']);
    write('tsconfig.json', ['{ "extends": "./tsconfig.base.json", "compilerOptions": { "strict": true } }']);
    write('src/settings/index.ts', ["export const settings: { prefix: string } = { prefix: 'app_' };", '']);
    write('src/sql/index-on.ts', [
      "import { settings } from '~settings';",
      'export function indexOn(table: string, column: string): string {',
      '  return `CREATE INDEX "${settings.prefix}${table}_${column}_idx" ON "${settings.prefix}${table}" ("${column}")`;',
      '}',
      '',
    ]);
    write('src/migrations/1704067200000-AddIndexes.ts', [
      "import { MigrationInterface, QueryRunner } from 'typeorm';",
      "import { settings } from '@/settings';",
      "import { indexOn } from '../sql/index-on';",
      'export class AddIndexes1704067200000 implements MigrationInterface {',
      '  public async up(queryRunner: QueryRunner): Promise<void> {',
      '    await queryRunner.query(`ALTER TABLE "${settings.prefix}orders" ADD "region" integer`);',
      "    await queryRunner.query(indexOn('orders', 'region'));",
      '  }',
      '  public async down(): Promise<void> {}',
      '}',
      '',
    ]);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('loads them through the tsconfig paths (extends followed) and relative imports, and records the SQL they build', async () => {
    const recorded = await evaluateOrmMigration(path.join(root, 'src/migrations/1704067200000-AddIndexes.ts'));
    expect(recorded.statements.map((s) => [s.sql, s.line])).toEqual([
      ['ALTER TABLE "app_orders" ADD "region" integer', 6],
      ['CREATE INDEX "app_orders_region_idx" ON "app_orders" ("region")', 7],
    ]);
  });

  it('leaves Node\'s loader as it was: the same .ts handler (or none), the same resolver', async () => {
    const { Module } = (process as unknown as { getBuiltinModule(id: string): { Module: { _extensions: Record<string, unknown>; _resolveFilename: unknown } } }).getBuiltinModule('node:module');
    const resolver = Module._resolveFilename;
    const tsHandler = Module._extensions['.ts'];
    await evaluateOrmMigration(path.join(root, 'src/migrations/1704067200000-AddIndexes.ts'));
    expect(Module._extensions['.ts']).toBe(tsHandler);
    expect(Module._resolveFilename).toBe(resolver);
  });

  it('loads them with the project\'s compiler even when the host has a .ts handler of its own', async () => {
    const { Module } = (process as unknown as { getBuiltinModule(id: string): { Module: { _extensions: Record<string, unknown>; _cache: Record<string, unknown> } } }).getBuiltinModule('node:module');
    // Loaded afresh, so the project's modules go through the handler again.
    for (const id of Object.keys(Module._cache)) if (id.startsWith(root)) delete Module._cache[id];
    const previous = Module._extensions['.ts'];
    // What a host's hook that does not compile TypeScript looks like: it loads the file as JavaScript.
    const hostHandler = Module._extensions['.js'];
    Module._extensions['.ts'] = hostHandler;
    try {
      const recorded = await evaluateOrmMigration(path.join(root, 'src/migrations/1704067200000-AddIndexes.ts'));
      expect(recorded.statements).toHaveLength(2);
      expect(Module._extensions['.ts']).toBe(hostHandler);
    } finally {
      if (previous) Module._extensions['.ts'] = previous;
      else delete Module._extensions['.ts'];
    }
  });
});

/**
 * A TypeORM migration that imports the project's entities: their decorators need the project's
 * decorator settings (emitDecoratorMetadata) and reflect-metadata loaded first, as TypeORM's CLI
 * loads it; otherwise `@Column() name: string` cannot tell its type and the file fails to load.
 */
describe('TypeScript migrations importing TypeORM entities', () => {
  const root = path.join(REPO_ROOT, '.tmp', 'orm-project-entities');
  const write = (file: string, lines: string[]) => {
    fs.mkdirSync(path.dirname(path.join(root, file)), { recursive: true });
    fs.writeFileSync(path.join(root, file), lines.join('\n'));
  };
  beforeAll(() => {
    fs.rmSync(root, { recursive: true, force: true });
    write('tsconfig.json', ['{ "compilerOptions": { "experimentalDecorators": true, "emitDecoratorMetadata": true } }']);
    write('src/entities/user.ts', [
      "import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';",
      "@Entity('users')",
      'export class User {',
      '  @PrimaryGeneratedColumn() id!: number;',
      '  @Column() name!: string;',
      '}',
      '',
    ]);
    write('src/migrations/1704067200000-SeedAdmin.ts', [
      "import { MigrationInterface, QueryRunner } from 'typeorm';",
      "import { User } from '../entities/user';",
      'export class SeedAdmin1704067200000 implements MigrationInterface {',
      '  public async up(queryRunner: QueryRunner): Promise<void> {',
      '    await queryRunner.query(`ALTER TABLE users ADD nickname varchar`);',
      "    await queryRunner.query(`INSERT INTO users (name) VALUES ('${User.name}')`);",
      '  }',
      '  public async down(): Promise<void> {}',
      '}',
      '',
    ]);
  });
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('loads them with the project\'s decorator settings and reflect-metadata, and records the SQL', async () => {
    const recorded = await evaluateOrmMigration(path.join(root, 'src/migrations/1704067200000-SeedAdmin.ts'));
    expect(recorded.statements.map((s) => s.line)).toEqual([5, 6]);
    expect(recorded.statements[0].sql).toBe('ALTER TABLE users ADD nickname varchar');
    expect(recorded.statements[1].sql).toBe("INSERT INTO users (name) VALUES ('User')");
  });
});
