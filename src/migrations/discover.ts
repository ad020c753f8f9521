import * as fs from 'node:fs';
import { isUtf8 } from 'node:buffer';
import * as path from 'node:path';
import { SourceText, type Position } from '../sql/source-text';

/**
 * Finding SQL migrations and putting them in the order a migration tool would apply them.
 * Shared by `dbops lint` and `dbops migrate`.
 *
 *   const { migrations, errors, warnings } = discoverMigrations(['db/migrations'], { cwd });
 *
 * Layouts understood (the version decides the order, compared as numbers, never as text):
 *   0001_create_users.sql, 20240101120000_add_email.sql   leading digits (also with `-` separators)
 *   V1__init.sql, V1.2__x.sql, V1_3__y.sql                 Flyway (V2 before V10, V1 before V1.1)
 *   R__views.sql                                           Flyway repeatable: after every versioned one
 *   1_create_users.up.sql (golang-migrate), x.up.sql       `.down.sql` files are skipped
 *   20240101120000_init/migration.sql                      Prisma: version from the directory name
 *   2024-01-01-000000_users/up.sql                         Diesel: likewise; down.sql is skipped
 *   drizzle/0000_cool_name.sql + drizzle/meta/_journal.json Drizzle Kit: in the journal's order
 * Files without a version come last, in natural name order.
 *
 * With `scripts: true` (dbops lint) JavaScript and TypeScript migrations count too, when their name
 * starts with a version as Knex, Sequelize, node-pg-migrate and TypeORM name them
 * (20240101120000_add_email.js, 1700000000000-AddEmail.ts); helpers and .d.ts files are skipped.
 */
export interface Migration {
  /** Absolute path of the file. */
  path: string;
  /** The version as written ("0001", "20240101120000", "1.2"), or null when the name has none. */
  version: string | null;
  /** The descriptive part of the name ("create_users"); the file name when there is no version. */
  name: string;
  /** The file's text, when asked for (`read: true`). */
  text?: string;
  /** A JavaScript/TypeScript migration of an ORM or migration tool (see src/orm/). */
  script?: boolean;
}

export interface DiscoveryError {
  /** The input (file, directory or glob) as the user gave it. */
  input: string;
  /** What is wrong: names the input, unless `entry` is set. */
  message: string;
  hint: string;
  /**
   * The file or directory the problem is about when it is not the input itself but something
   * found in it (absolute path): a subdirectory that cannot be read, a dangling link, a FIFO, a
   * file that cannot be read. `message` then does not name it.
   */
  entry?: string;
}

export interface DiscoveryResult {
  /** Each input's migrations in migration order; inputs keep the order they were given in. */
  migrations: Migration[];
  /** Inputs that do not exist or globs that match nothing: a typo must not lint nothing silently. */
  errors: DiscoveryError[];
  /** Existing, readable directories that hold no migrations (a new project has none yet). */
  warnings: string[];
}

export interface DiscoveryOptions {
  cwd: string;
  /** Also read each file (UTF-8); a file that cannot be read is reported in `errors`. */
  read?: boolean;
  /** Also JavaScript/TypeScript migrations (Knex, Sequelize, node-pg-migrate, TypeORM). */
  scripts?: boolean;
}

/** Expands files, directories and globs into migrations. Explicitly named files are taken as they are. */
export function discoverMigrations(inputs: readonly string[], options: DiscoveryOptions): DiscoveryResult {
  const result: DiscoveryResult = { migrations: [], errors: [], warnings: [] };
  const seen = new Set<string>();
  for (const input of inputs) {
    const found = expandInput(input, options, result);
    for (const migration of found) {
      // By real path: a file reached twice (named again, or through a link) is one migration.
      const key = realPath(migration.path);
      if (seen.has(key)) continue;
      seen.add(key);
      result.migrations.push(migration);
    }
  }
  if (options.read) {
    result.migrations = result.migrations.filter((m) => {
      const read = readSqlFile(m.path);
      if ('text' in read) {
        m.text = read.text;
        return true;
      }
      result.errors.push({ input: m.path, entry: m.path, message: read.problem, hint: read.hint });
      return false;
    });
  }
  return result;
}

function expandInput(input: string, options: DiscoveryOptions, result: DiscoveryResult): Migration[] {
  const { cwd } = options;
  const describe = (file: string) => describeMigration(file, { scripts: options.scripts }) ?? [];
  const absolute = path.resolve(cwd, input);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.statSync(absolute);
  } catch {
    stat = undefined;
  }
  if (stat?.isDirectory()) {
    const problems: DiscoveryError[] = [];
    const found = inDrizzleJournalOrder(absolute, sortMigrations(walkDirectory(absolute, problems, input).flatMap(describe)));
    result.errors.push(...problems);
    if (found.length === 0 && problems.length === 0) result.warnings.push(`no ${options.scripts ? '' : '.sql '}migrations in ${input}`);
    return found;
  }
  if (stat) return [describeMigration(absolute, { explicit: true })!];
  if (isGlob(input)) {
    // Lazily loaded: only glob inputs need it. tinyglobby (fdir + picomatch) is what oclif itself uses.
    const { globSync } = require('tinyglobby') as typeof import('tinyglobby');
    const files = globSync(input, { cwd, absolute: true, onlyFiles: true, ignore: ['**/node_modules/**'] });
    const found = sortMigrations(files.flatMap((file) => describe(path.resolve(file))));
    if (found.length === 0) {
      result.errors.push({ input, message: `no .sql migrations match ${input}`, hint: 'check the pattern; quote it so the shell does not expand it' });
    }
    return found;
  }
  result.errors.push({ input, message: `${input} does not exist`, hint: 'check the path (relative paths start from the current directory)' });
  return [];
}

/**
 * Drizzle Kit applies the .sql files of its output directory in the order of meta/_journal.json
 * (entries[].tag is the file name without .sql), whatever their names say: journalled files
 * follow it, any others keep their place after them.
 */
function inDrizzleJournalOrder(dir: string, found: Migration[]): Migration[] {
  let tags: string[];
  try {
    const journal = JSON.parse(fs.readFileSync(path.join(dir, 'meta', '_journal.json'), 'utf8')) as { entries?: Array<{ idx?: number; tag?: unknown }> };
    tags = [...(journal.entries ?? [])].sort((a, b) => (a.idx ?? 0) - (b.idx ?? 0)).flatMap((e) => (typeof e.tag === 'string' ? [e.tag] : []));
  } catch {
    return found;
  }
  const rank = new Map(tags.map((tag, i) => [path.join(dir, `${tag}.sql`), i]));
  const rankOf = (m: Migration) => rank.get(m.path) ?? tags.length;
  return [...found].sort((a, b) => rankOf(a) - rankOf(b));
}

function isGlob(input: string): boolean {
  return /[*?[\]{}]/.test(input);
}

const SKIPPED_DIRECTORIES = new Set(['node_modules']);

/**
 * Files below dir; symbolic links are followed, each real directory is entered once (no cycles).
 * What cannot be walked is a problem, never skipped in silence (a CI user without read access
 * would otherwise lint nothing and pass): a directory that cannot be read, and, named like a
 * migration, a link that points nowhere or something that is not a regular file (a FIFO would
 * block the read forever).
 */
function walkDirectory(dir: string, problems: DiscoveryError[], input: string, visited = new Set<string>()): string[] {
  const files: string[] = [];
  let entries: fs.Dirent[];
  try {
    const real = fs.realpathSync(dir);
    if (visited.has(real)) return files;
    visited.add(real);
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    problems.push({ input, entry: dir, ...unreadable(err, 'directory') });
    return files;
  }
  for (const entry of entries) {
    if (entry.name.startsWith('.') || SKIPPED_DIRECTORIES.has(entry.name)) continue;
    const full = path.join(dir, entry.name);
    const kind = entry.isSymbolicLink() ? statKind(full) : entry.isDirectory() ? 'dir' : entry.isFile() ? 'file' : 'other';
    if (kind === 'dir') files.push(...walkDirectory(full, problems, input, visited));
    else if (kind === 'file') files.push(full);
    else if (describeMigration(full) === undefined) continue;
    else if (kind === 'missing') problems.push({ input, entry: full, message: 'is a symbolic link that leads nowhere (its target does not exist or cannot be reached)', hint: 'fix or remove the link' });
    else problems.push({ input, entry: full, message: 'is not a regular file (a FIFO, socket or device), so it is not read', hint: 'migrations must be regular files; rename or remove it' });
  }
  return files;
}

/** Why a file or directory could not be read, in words, with what to do about it. */
function unreadable(err: unknown, what: 'file' | 'directory'): { message: string; hint: string } {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'EACCES' || code === 'EPERM') return { message: 'cannot be read: permission denied', hint: `check the ${what}'s permissions (and those of the directories above it)` };
  if (code === 'EISDIR') return { message: 'is a directory, not a file', hint: 'pass the directory itself to lint every migration in it' };
  return { message: `cannot be read: ${(err as Error).message}`, hint: 'check the path' };
}

function realPath(file: string): string {
  try {
    return fs.realpathSync(file);
  } catch {
    return file;
  }
}

/** What a symbolic link leads to. */
function statKind(file: string): 'dir' | 'file' | 'other' | 'missing' {
  try {
    const stat = fs.statSync(file);
    return stat.isDirectory() ? 'dir' : stat.isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}

/**
 * What a file is as a migration, or undefined when a directory walk or a glob should skip it
 * (not .sql, a down or undo migration). An explicitly named file is always a migration.
 */
export function describeMigration(file: string, options: { explicit?: boolean; scripts?: boolean } = {}): Migration | undefined {
  const base = path.basename(file);
  const lower = base.toLowerCase();
  if (isScriptMigration(lower)) {
    const parsed = parseVersion(base.replace(SCRIPT_EXTENSION, ''));
    if (options.explicit || (options.scripts && parsed.version !== null && /^\d/.test(base))) return { path: file, version: parsed.version, name: parsed.name, script: true };
    return undefined;
  }
  if (!options.explicit && (!lower.endsWith('.sql') || isDownMigration(lower))) return undefined;
  let stem = base.replace(/\.sql$/i, '').replace(/\.up$/i, '');
  // Prisma (migration.sql) and Diesel (up.sql) keep the version in the directory name.
  if (/^(migration|up)$/i.test(stem)) stem = path.basename(path.dirname(file));
  const parsed = parseVersion(stem);
  return { path: file, version: parsed.version, name: parsed.name };
}

const SCRIPT_EXTENSION = /\.(c|m)?(js|ts)$/i;

/** A JavaScript or TypeScript file (not a .d.ts declaration): evaluated by src/orm/, not read as SQL. */
export function isScriptMigration(file: string): boolean {
  return SCRIPT_EXTENSION.test(file) && !/\.d\.(c|m)?ts$/i.test(file);
}

function isDownMigration(lowerBase: string): boolean {
  return lowerBase.endsWith('.down.sql') || lowerBase === 'down.sql' || /^u\d[\d._]*__/.test(lowerBase);
}

function parseVersion(stem: string): { version: string | null; name: string } {
  const flyway = /^V(\d+(?:[._]\d+)*)__(.*)$/i.exec(stem);
  if (flyway) return { version: flyway[1].replace(/_/g, '.'), name: flyway[2] };
  const leading = /^(\d+(?:-\d+)*)(?:[_.-]+(.*))?$/.exec(stem);
  if (leading) return { version: leading[1], name: leading[2] ?? '' };
  const repeatable = /^R__(.*)$/i.exec(stem);
  if (repeatable) return { version: null, name: repeatable[1] };
  return { version: null, name: stem };
}

/** Version segments as digit strings without leading zeros: "1.02" → ["1", "2"]; dashes join ("2024-01-01" → one number). */
function versionSegments(version: string): string[] {
  const segments = version.includes('.') ? version.split('.') : [version.replace(/-/g, '')];
  return segments.map((s) => s.replace(/^0+(?=\d)/, ''));
}

function compareNumberStrings(a: string, b: string): number {
  return a.length !== b.length ? a.length - b.length : a < b ? -1 : a > b ? 1 : 0;
}

/** Created on first use: building an ICU collator takes ~5 ms, and versioned migrations rarely need it. */
let naturalOrder: Intl.Collator | undefined;

/** Migration order: versioned before unversioned, versions compared segment by segment as numbers. */
export function compareMigrations(a: Migration, b: Migration): number {
  if (a.version !== null && b.version !== null) {
    const sa = versionSegments(a.version);
    const sb = versionSegments(b.version);
    for (let i = 0; i < Math.min(sa.length, sb.length); i++) {
      const c = compareNumberStrings(sa[i], sb[i]);
      if (c !== 0) return c;
    }
    if (sa.length !== sb.length) return sa.length - sb.length;
  } else if (a.version !== null || b.version !== null) {
    return a.version !== null ? -1 : 1;
  }
  naturalOrder ??= new Intl.Collator('en', { numeric: true, sensitivity: 'base' });
  return naturalOrder.compare(a.name, b.name) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0);
}

export function sortMigrations(migrations: Migration[]): Migration[] {
  return [...migrations].sort(compareMigrations);
}

/** A file's text, or why it cannot be linted (and where, when the problem is at one place in it). */
export type SqlFileRead = { text: string } | { problem: string; hint: string; position?: Position };

/**
 * Reads a migration as UTF-8 text. Binary files (NUL bytes, which is also what UTF-16 looks
 * like) and unreadable files come back as a problem instead of text. A UTF-8 byte order mark is
 * dropped: editors do not count it as a column.
 */
export function readSqlFile(file: string): SqlFileRead {
  let buffer: Buffer;
  try {
    buffer = fs.readFileSync(file);
  } catch (err) {
    const { message, hint } = unreadable(err, 'file');
    return { problem: message, hint };
  }
  return decodeSql(buffer);
}

/**
 * Decodes bytes read from a file or stdin (see readSqlFile). Bytes that are not UTF-8 are a
 * problem at their position: PostgreSQL rejects the whole statement ("invalid byte sequence for
 * encoding UTF8"), and linting the text the decoder guessed would pass a file that cannot run.
 */
export function decodeSql(buffer: Buffer): SqlFileRead {
  if (buffer.includes(0)) {
    return { problem: 'is a binary file (it contains NUL bytes), not SQL text', hint: 'lint only .sql text files; convert UTF-16 files to UTF-8' };
  }
  const bom = buffer[0] === 0xef && buffer[1] === 0xbb && buffer[2] === 0xbf ? 3 : 0;
  const invalid = invalidUtf8(buffer);
  if (invalid) {
    const before = buffer.subarray(bom, invalid.at).toString('utf8');
    const bytes = [...buffer.subarray(invalid.at, invalid.at + invalid.length)].map((b) => `0x${b.toString(16).padStart(2, '0')}`).join(' ');
    return {
      problem: `is not valid UTF-8 (invalid byte sequence ${bytes}): PostgreSQL would reject it`,
      hint: 'save the file as UTF-8 (e.g. iconv -f latin1 -t utf-8 old.sql > new.sql)',
      position: new SourceText(before).position(before.length),
    };
  }
  const text = buffer.toString('utf8');
  return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}

/** The first byte sequence that is not UTF-8 (as PostgreSQL's pg_verify_mbstr checks it: no surrogates, nothing past U+10FFFF, no overlong forms). */
function invalidUtf8(buffer: Buffer): { at: number; length: number } | undefined {
  if (isUtf8(buffer)) return undefined;
  for (let i = 0; i < buffer.length; ) {
    const b = buffer[i];
    const size = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (size === 0) return { at: i, length: 1 };
    // The second byte's range depends on the first (overlong forms, surrogates, past U+10FFFF).
    const [low, high] = b === 0xe0 ? [0xa0, 0xbf] : b === 0xed ? [0x80, 0x9f] : b === 0xf0 ? [0x90, 0xbf] : b === 0xf4 ? [0x80, 0x8f] : [0x80, 0xbf];
    for (let k = 1; k < size; k++) {
      const c = buffer[i + k];
      const ok = c !== undefined && (k === 1 ? c >= low && c <= high : c >= 0x80 && c <= 0xbf);
      if (!ok) return { at: i, length: Math.min(k + 1, buffer.length - i) };
    }
    i += size;
  }
  return undefined;
}

const DOWN_MARKER = /^[ \t]*--[ \t]*(?:migrate:down|\+goose[ \t]+down)\b.*$/gim;
const UP_MARKER = /^[ \t]*--[ \t]*(?:migrate:up|\+goose[ \t]+up)\b/gim;

/**
 * The part of a migration a deploy runs. dbmate (`-- migrate:up` / `-- migrate:down`) and goose
 * (`-- +goose Up` / `-- +goose Down`) keep both directions in one file; each down section is
 * blanked out (to the next up marker or the end) rather than cut, so lines and columns stay true.
 */
export function upMigrationText(text: string): string {
  let result = text;
  for (const down of text.matchAll(DOWN_MARKER)) {
    UP_MARKER.lastIndex = down.index! + down[0].length;
    const end = UP_MARKER.exec(text)?.index ?? text.length;
    result = result.slice(0, down.index!) + text.slice(down.index!, end).replace(/[^\r\n]/g, ' ') + result.slice(end);
  }
  return result;
}
