import * as fs from 'node:fs';
import * as path from 'node:path';
import { useTempTrees } from '../harness/temp-tree';
import { compareMigrations, describeMigration, discoverMigrations, readSqlFile, sortMigrations, upMigrationText } from '../../src/migrations/discover';

const names = (root: string, list: { path: string }[]) => list.map((m) => path.relative(root, m.path));

describe('migration discovery', () => {
  const make = useTempTrees('dbops-discover-');

  it('orders numbered and timestamped files by number, not text', () => {
    const root = make({ '10_c.sql': '', '9_b.sql': '', '0001_a.sql': '', 'README.md': '', '20240101120000_d.sql': '' });
    const { migrations, errors, warnings } = discoverMigrations(['.'], { cwd: root });
    expect(names(root, migrations)).toEqual(['0001_a.sql', '9_b.sql', '10_c.sql', '20240101120000_d.sql']);
    expect(migrations[0]).toMatchObject({ version: '0001', name: 'a' });
    expect(errors).toEqual([]);
    expect(warnings).toEqual([]);
  });

  it('orders Flyway versions numerically segment by segment, repeatables last, undo skipped', () => {
    const root = make({ 'V10__ten.sql': '', 'V2__two.sql': '', 'V1.10__x.sql': '', 'V1.2__y.sql': '', 'V1__init.sql': '', 'V1_3__z.sql': '', 'R__views.sql': '', 'U2__undo.sql': '' });
    const { migrations } = discoverMigrations([root], { cwd: '/' });
    expect(names(root, migrations)).toEqual(['V1__init.sql', 'V1.2__y.sql', 'V1_3__z.sql', 'V1.10__x.sql', 'V2__two.sql', 'V10__ten.sql', 'R__views.sql']);
    expect(migrations[2]).toMatchObject({ version: '1.3', name: 'z' });
    expect(migrations[6]).toMatchObject({ version: null, name: 'views' });
  });

  it('takes .up.sql (golang-migrate) and skips .down.sql', () => {
    const root = make({ '2_users.up.sql': '', '2_users.down.sql': '', '10_x.up.sql': '', '1_init.up.sql': '', '1_init.down.sql': '' });
    const { migrations } = discoverMigrations([root], { cwd: root });
    expect(names(root, migrations)).toEqual(['1_init.up.sql', '2_users.up.sql', '10_x.up.sql']);
    expect(migrations[1]).toMatchObject({ version: '2', name: 'users' });
  });

  it('orders Prisma and Diesel layouts by directory name', () => {
    const root = make({
      'prisma/migrations/20240301000000_add_email/migration.sql': '',
      'prisma/migrations/20231201000000_init/migration.sql': '',
      'prisma/migrations/migration_lock.toml': '',
      'diesel/2024-01-02-000000_posts/up.sql': '',
      'diesel/2024-01-02-000000_posts/down.sql': '',
      'diesel/2023-12-31-235959_users/up.sql': '',
    });
    const prisma = discoverMigrations(['prisma/migrations'], { cwd: root }).migrations;
    expect(names(root, prisma)).toEqual(['prisma/migrations/20231201000000_init/migration.sql', 'prisma/migrations/20240301000000_add_email/migration.sql']);
    expect(prisma[0]).toMatchObject({ version: '20231201000000', name: 'init' });
    const diesel = discoverMigrations(['diesel'], { cwd: root }).migrations;
    expect(names(root, diesel)).toEqual(['diesel/2023-12-31-235959_users/up.sql', 'diesel/2024-01-02-000000_posts/up.sql']);
  });

  it('orders a Drizzle Kit output directory by its journal, not by file name', () => {
    const journal = { version: '7', dialect: 'postgresql', entries: [
      { idx: 0, version: '7', when: 1700000000000, tag: '0000_init', breakpoints: true },
      // Renumbered by hand after a merge: the journal still says it runs second.
      { idx: 1, version: '7', when: 1700000100000, tag: '0002_add_email', breakpoints: true },
      { idx: 2, version: '7', when: 1700000200000, tag: '0001_add_index', breakpoints: true },
    ] };
    const root = make({
      'drizzle/0000_init.sql': 'CREATE TABLE users (id int);\n--> statement-breakpoint\nCREATE TABLE posts (id int);\n',
      'drizzle/0001_add_index.sql': '',
      'drizzle/0002_add_email.sql': '',
      'drizzle/meta/_journal.json': JSON.stringify(journal),
      'drizzle/meta/0000_snapshot.json': '{}',
    });
    const { migrations, errors, warnings } = discoverMigrations(['drizzle'], { cwd: root });
    expect([errors, warnings]).toEqual([[], []]);
    expect(names(root, migrations)).toEqual(['drizzle/0000_init.sql', 'drizzle/0002_add_email.sql', 'drizzle/0001_add_index.sql']);
  });

  it('puts unversioned files after versioned ones, in natural order', () => {
    const sorted = sortMigrations(['/m/seed10.sql', '/m/seed9.sql', '/m/0002_b.sql', '/m/schema.sql', '/m/0001_a.sql'].map((f) => describeMigration(f)!));
    expect(sorted.map((m) => path.basename(m.path))).toEqual(['0001_a.sql', '0002_b.sql', 'schema.sql', 'seed9.sql', 'seed10.sql']);
    expect(compareMigrations(describeMigration('/a/V1__x.sql')!, describeMigration('/a/V1.1__x.sql')!)).toBeLessThan(0);
  });

  it('expands globs in migration order, skipping down migrations and non-SQL files', () => {
    const root = make({ 'db/a/10_x.sql': '', 'db/b/2_y.sql': '', 'db/b/2_y.down.sql': '', 'db/notes.txt': '' });
    const { migrations, errors } = discoverMigrations(['db/**/*'], { cwd: root });
    expect(errors).toEqual([]);
    expect(names(root, migrations)).toEqual(['db/b/2_y.sql', 'db/a/10_x.sql']);
  });

  it('keeps the order of inputs, takes explicit files as given, and lists each file once', () => {
    const root = make({ 'm/0002_b.sql': '', 'm/0001_a.sql': '', 'extra/fix.down.sql': '' });
    const { migrations } = discoverMigrations(['m/0002_b.sql', 'm', 'extra/fix.down.sql'], { cwd: root });
    expect(names(root, migrations)).toEqual(['m/0002_b.sql', 'm/0001_a.sql', 'extra/fix.down.sql']);
  });

  it('reports a missing path and a glob matching nothing as errors, an empty directory as a warning', () => {
    const root = make({ 'empty/README.md': '' });
    const { migrations, errors, warnings } = discoverMigrations(['nope.sql', 'empty', 'db/*.sql'], { cwd: root });
    expect(migrations).toEqual([]);
    expect(errors.map((e) => e.message)).toEqual(['nope.sql does not exist', 'no .sql migrations match db/*.sql']);
    expect(errors[0].hint).toMatch(/check the path/);
    expect(warnings).toEqual(['no .sql migrations in empty']);
  });

  it('reads text on request; binary files are problems, a BOM is dropped', () => {
    const root = make({ '1_a.sql': '\ufeffSELECT 1;', '2_b.sql': Buffer.from([0x53, 0x00, 0x45]) });
    const { migrations, errors } = discoverMigrations([root], { cwd: root, read: true });
    expect(migrations.map((m) => m.text)).toEqual(['SELECT 1;']);
    expect(errors).toEqual([{ input: path.join(root, '2_b.sql'), entry: path.join(root, '2_b.sql'), message: expect.stringMatching(/binary file/), hint: expect.any(String) }]);
    expect(readSqlFile(path.join(root, 'missing.sql'))).toMatchObject({ problem: expect.stringMatching(/cannot be read/) });
  });

  it('follows symbolic links to files and directories, without looping, and lints each real file once', () => {
    const root = make({ 'shared/0002_shared.sql': '', 'm/0001_a.sql': '' });
    fs.symlinkSync(path.join(root, 'shared/0002_shared.sql'), path.join(root, 'm/0002_shared.sql'));
    fs.symlinkSync(path.join(root, 'shared'), path.join(root, 'm/linked'));
    fs.symlinkSync(path.join(root, 'm'), path.join(root, 'm/loop'));
    fs.symlinkSync(path.join(root, 'nowhere.sql'), path.join(root, 'm/0003_dangling.sql'));
    const { migrations } = discoverMigrations(['m'], { cwd: root });
    expect(names(root, migrations)).toEqual(['m/0001_a.sql', 'm/0002_shared.sql']);
  });

  it('keeps only the up part of dbmate and goose files, with lines and columns unchanged', () => {
    const dbmate = '-- migrate:up\nCREATE INDEX a ON t (x);\n\n-- migrate:down\nDROP INDEX a;\n';
    const up = upMigrationText(dbmate);
    expect(up).toHaveLength(dbmate.length);
    expect(up.split('\n')).toEqual(['-- migrate:up', 'CREATE INDEX a ON t (x);', '', ' '.repeat(15), ' '.repeat(13), '']);
    const goose = '-- +goose Up\nSELECT 1;\n-- +goose Down\nDROP TABLE t;\n-- +goose Up\nSELECT 2;\n';
    expect(upMigrationText(goose).split('\n').map((l) => l.trim())).toEqual(['-- +goose Up', 'SELECT 1;', '', '', '-- +goose Up', 'SELECT 2;', '']);
    expect(upMigrationText('SELECT 1; -- migrate:down is only a comment here\n')).toBe('SELECT 1; -- migrate:down is only a comment here\n');
  });
});
