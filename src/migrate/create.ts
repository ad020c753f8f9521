import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../core/errors';
import { loadMigrationFiles } from './files';
import { dbopsCommand } from '../core/dbops-command';

/** "Add email to Accounts!" → "add_email_to_accounts". */
export function slugify(name: string): string {
  return name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 80);
}

/**
 * The name as the file's first line, a `--` comment. A line break in the name would end the
 * comment and make the rest of it SQL (`migrate create "$TITLE"` with a title of two lines);
 * every control character becomes a space.
 */
function headerComment(name: string): string {
  // eslint-disable-next-line no-control-regex
  return `-- ${name.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ').trim()}`;
}

function timestamp(d: Date): string {
  return d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
}

/**
 * Writes `<dir>/<UTC timestamp>_<slug>.sql` — or `<dir>/<timestamp>_<slug>/migration.sql` when the
 * directory already uses Prisma's layout — and returns its path; never overwrites.
 */
export function createMigrationFile(dir: string, name: string, now = new Date()): string {
  const slug = slugify(name);
  if (!slug) throw new UsageError(`cannot make a file name from "${name}"`, `use letters and digits, e.g. \`${dbopsCommand('migrate create add_accounts_email')}\``);
  fs.mkdirSync(dir, { recursive: true });
  const existing = loadMigrationFiles(dir).files;
  const taken = new Set(existing.map((f) => f.version));
  let at = now.getTime();
  // Two creates in the same second get consecutive versions, never the same one.
  while (taken.has(timestamp(new Date(at)))) at += 1000;
  const base = `${timestamp(new Date(at))}_${slug}`;
  const prisma = existing.length > 0 && existing.every((f) => path.basename(f.path) === 'migration.sql');
  if (prisma) fs.mkdirSync(path.join(dir, base));
  const file = prisma ? path.join(dir, base, 'migration.sql') : path.join(dir, `${base}.sql`);
  const body = [
    headerComment(name),
    '-- Runs in one transaction under lock_timeout (policy maximum) with retries. For statements that',
    '-- cannot run in a transaction (CREATE INDEX CONCURRENTLY, …) dbops switches to statement-by-statement',
    '-- mode by itself; to force it, start the file with: -- dbops:no-transaction',
    '',
    '',
  ].join('\n');
  fs.writeFileSync(file, body, { flag: 'wx' });
  return file;
}
