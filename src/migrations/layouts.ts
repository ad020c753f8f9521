import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * Where a project keeps its migrations, and which tool writes them, from the files the tools
 * leave (their config files, their dependencies in package.json, their directories). Used by
 * `dbops init` to write the config, and by `dbops lint` when it is given no paths and no
 * migrations.dir.
 */
export type LayoutTool = 'prisma' | 'drizzle' | 'knex' | 'typeorm' | 'sequelize' | 'node-pg-migrate' | 'sql';

export interface MigrationLayout {
  tool: LayoutTool;
  /** The migrations directory, relative to the project root, with forward slashes. */
  dir: string;
  /** What gave it away, for the comment in the config: "knexfile.js", "package.json: typeorm". */
  evidence: string;
}

const SCRIPT_CONFIG = ['ts', 'js', 'mjs', 'cjs'];

export function detectLayouts(root: string): MigrationLayout[] {
  const found: MigrationLayout[] = [];
  const exists = (rel: string) => fs.existsSync(path.join(root, rel));
  const read = (rel: string) => {
    try {
      return fs.readFileSync(path.join(root, rel), 'utf8');
    } catch {
      return undefined;
    }
  };
  const deps = dependencies(read('package.json'));

  if (exists('prisma/migrations') || exists('prisma/schema.prisma')) found.push({ tool: 'prisma', dir: 'prisma/migrations', evidence: exists('prisma/migrations') ? 'prisma/migrations/' : 'prisma/schema.prisma' });

  const drizzleConfig = [...SCRIPT_CONFIG, 'json'].map((ext) => `drizzle.config.${ext}`).find(exists);
  if (drizzleConfig) found.push({ tool: 'drizzle', dir: stringOption(read(drizzleConfig), 'out') ?? 'drizzle', evidence: drizzleConfig });
  else if (exists('drizzle/meta/_journal.json')) found.push({ tool: 'drizzle', dir: 'drizzle', evidence: 'drizzle/meta/_journal.json' });

  const knexfile = SCRIPT_CONFIG.map((ext) => `knexfile.${ext}`).find(exists);
  if (knexfile) found.push({ tool: 'knex', dir: stringOption(read(knexfile), 'directory') ?? 'migrations', evidence: knexfile });
  else if (deps.has('knex') && !deps.has('node-pg-migrate')) found.push({ tool: 'knex', dir: 'migrations', evidence: 'package.json: knex' });

  if (deps.has('typeorm')) {
    const dir = ['src/migrations', 'src/migration', 'src/database/migrations', 'migrations', 'db/migrations'].find(exists) ?? 'src/migrations';
    found.push({ tool: 'typeorm', dir, evidence: 'package.json: typeorm' });
  }

  if (exists('.sequelizerc') || deps.has('sequelize-cli')) {
    found.push({ tool: 'sequelize', dir: stringOption(read('.sequelizerc'), 'migrations-path', true) ?? 'migrations', evidence: exists('.sequelizerc') ? '.sequelizerc' : 'package.json: sequelize-cli' });
  }

  if (deps.has('node-pg-migrate')) found.push({ tool: 'node-pg-migrate', dir: 'migrations', evidence: 'package.json: node-pg-migrate' });

  if (found.length === 0) {
    const dir = ['migrations', 'db/migrations', 'sql/migrations', 'database/migrations'].find(exists);
    if (dir) found.push({ tool: 'sql', dir, evidence: `${dir}/` });
  }
  return found.map((l) => ({ ...l, dir: l.dir.replace(/^\.\//, '').replace(/\/+$/, '') }));
}

function dependencies(packageJson: string | undefined): Set<string> {
  if (!packageJson) return new Set();
  try {
    const pkg = JSON.parse(packageJson) as { dependencies?: Record<string, string>; devDependencies?: Record<string, string> };
    return new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})]);
  } catch {
    return new Set();
  }
}

/**
 * A string option in a tool's config file (`out: './drizzle'`, `directory: 'db/migrations'`),
 * read as text: the file is never run. The first occurrence wins (knexfiles repeat it per
 * environment, usually the same).
 */
function stringOption(text: string | undefined, key: string, wrappedInPathResolve = false): string | undefined {
  if (!text) return undefined;
  const name = key.includes('-') ? `['"]${key}['"]` : `['"]?${key}['"]?`;
  const plain = new RegExp(`${name}\\s*:\\s*['"\`]([^'"\`]+)['"\`]`).exec(text)?.[1];
  if (plain) return plain;
  if (wrappedInPathResolve) {
    // .sequelizerc: 'migrations-path': path.resolve('db', 'migrations')
    const args = new RegExp(`${name}\\s*:\\s*path\\.(?:resolve|join)\\(([^)]*)\\)`).exec(text)?.[1];
    const parts = args?.split(',').map((a) => /^\s*['"]([^'"]+)['"]\s*$/.exec(a)?.[1]).filter((p): p is string => Boolean(p));
    if (parts && parts.length > 0) return parts.join('/');
  }
  return undefined;
}
