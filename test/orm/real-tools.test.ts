import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Client } from 'pg';
import { REPO_ROOT } from '../harness/cli';
import { useCluster } from '../harness/cluster';
import { waitFor } from '../../src/testing/cluster';
import { loadMigrationModule } from '../../src/orm/load-module';
import { typeormClass, upFunction } from '../../src/orm/detect';
import { expectedStatements, migrationFiles, ORM_FIXTURES } from './helpers';

/**
 * The expected-sql files of the ORM fixtures are what each tool really sends: every fixture is
 * applied by the real tool to its own database on PostgreSQL 15 with every statement logged, and
 * the schema changes in the server log (in the order the server received them) must be the
 * ones in the expected-sql files, taken in the tool's order. Bookkeeping (the tools' migration
 * tables) and catalog reads are left out of the comparison; transaction control is compared by
 * knex.test.ts and friends, which check BEGIN/COMMIT against the recorded SQL.
 */
const pg = useCluster({ settings: { log_statement: "'all'", log_line_prefix: "'[%d] '" } });

const DDL = /^(CREATE|ALTER|DROP)\b/i;
const BOOKKEEPING = /knex_migrations|pgmigrations|"migrations"|SequelizeMeta|typeorm_metadata/i;

function urlOf(database: string): string {
  const url = new URL(pg().primary.url);
  url.pathname = `/${database}`;
  return url.toString();
}

async function createDatabase(name: string): Promise<string> {
  const client = new Client({ connectionString: pg().primary.url });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  return urlOf(name);
}

/** The statements the server logged for one database, in order (continuation lines joined). */
function loggedStatements(database: string): string[] {
  const log = fs.readFileSync(path.join(pg().primary.dataDir, 'server.log'), 'utf8');
  const entries = log.split(/\n(?=\S)/);
  const prefix = `[${database}] LOG:  `;
  return entries
    .filter((e) => e.startsWith(prefix))
    .map((e) => e.slice(prefix.length))
    .map((e) => /^(?:statement|execute [^:]*): ([\s\S]*)$/.exec(e)?.[1])
    .filter((s): s is string => s !== undefined)
    .map((s) => s.replace(/\n\t/g, '\n').trim());
}

/** Statements split as the expected-sql files hold them (a multi-statement query is one entry there too). */
const schemaChanges = (statements: string[]) => statements.map((s) => s.replace(/;\s*$/, '')).filter((s) => DDL.test(s) && !BOOKKEEPING.test(s));

function expectedChanges(project: string, order: string[]): string[] {
  return schemaChanges(order.flatMap((file) => expectedStatements(path.join(project, 'expected-sql', file.replace(/\.[cm]?[jt]s$/, '.sql')))));
}

async function serverChanges(database: string, marker: string): Promise<string[]> {
  await waitFor(async () => fs.readFileSync(path.join(pg().primary.dataDir, 'server.log'), 'utf8').includes(marker), 10_000, `${database} statements in the server log`);
  return schemaChanges(loggedStatements(database));
}

describe('the expected SQL of the ORM fixtures is what the real tools send to PostgreSQL 15', () => {
  it('knex: each migration in a transaction, through knex itself', async () => {
    const project = path.join(ORM_FIXTURES, 'knex');
    const url = await createDatabase('orm_knex');
    const { knex } = require('knex') as typeof import('knex');
    const db = knex({ client: 'pg', connection: url });
    try {
      for (const file of migrationFiles(project)) {
        const up = upFunction(loadMigrationModule(path.join(project, 'migrations', file)).exports)!;
        await db.transaction(async (trx) => void (await up(trx)));
      }
    } finally {
      await db.destroy();
    }
    expect(await serverChanges('orm_knex', 'orders_customer_fk')).toEqual(expectedChanges(project, migrationFiles(project)));
  });

  it('sequelize: up(queryInterface, Sequelize) as sequelize-cli calls it', async () => {
    const project = path.join(ORM_FIXTURES, 'sequelize');
    const url = await createDatabase('orm_sequelize');
    const { Sequelize } = require('sequelize') as typeof import('sequelize');
    const sequelize = new Sequelize(url, { logging: false });
    try {
      for (const file of migrationFiles(project)) {
        const up = upFunction(loadMigrationModule(path.join(project, 'migrations', file)).exports)!;
        await up(sequelize.getQueryInterface(), Sequelize);
      }
    } finally {
      await sequelize.close();
    }
    expect(await serverChanges('orm_sequelize', 'orders_customer_fk')).toEqual(expectedChanges(project, migrationFiles(project)));
  });

  it('node-pg-migrate: its own CLI (up), loading the .js, .mjs and .ts files itself', async () => {
    const project = path.join(ORM_FIXTURES, 'node-pg-migrate');
    const url = await createDatabase('orm_node_pg_migrate');
    const bin = path.join(REPO_ROOT, 'node_modules', 'node-pg-migrate', 'bin', 'node-pg-migrate.js');
    const run = spawnSync(process.execPath, [bin, 'up', '--migrations-dir', 'migrations'], {
      cwd: project,
      env: { ...process.env, DATABASE_URL: url },
      encoding: 'utf8',
    });
    expect(run.stderr + run.stdout).toContain('Migrations complete');
    expect(await serverChanges('orm_node_pg_migrate', 'orders_customer_fk')).toEqual(expectedChanges(project, migrationFiles(project)));
  });

  it("typeorm: DataSource.runMigrations, which orders the classes by their names' timestamps", async () => {
    const project = path.join(ORM_FIXTURES, 'typeorm');
    const url = await createDatabase('orm_typeorm');
    const { DataSource } = require('typeorm') as typeof import('typeorm');
    const files = migrationFiles(project);
    const classes = files.map((file) => typeormClass(loadMigrationModule(path.join(project, 'migrations', file)).exports)!);
    const dataSource = new DataSource({ type: 'postgres', url, migrations: classes, migrationsTransactionMode: 'each', logging: false });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations();
    } finally {
      await dataSource.destroy();
    }
    const toolOrder = ['1704067200000-CreateOrders.ts', '1704153600000-AddIndex.ts', '1704240000000-ChangeType.js', '1704412800000-AddRequiredColumn.ts', '1704326400000-AddForeignKey.ts'];
    expect(await serverChanges('orm_typeorm', 'orders_customer_fk')).toEqual(expectedChanges(project, toolOrder));
  });
});
