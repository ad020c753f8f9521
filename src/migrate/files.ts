import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../core/errors';
import { compareMigrations, discoverMigrations, upMigrationText } from '../migrations/discover';

/** One versioned migration file as found on disk. */
export interface MigrationFile {
  /** The ordering key and tracking id as written, e.g. "0003", "20261123114500", "1.2". */
  version: string;
  /** The descriptive part of the name, e.g. "add_accounts_email". */
  name: string;
  /** Absolute path. */
  path: string;
  /** Path relative to the current directory, for messages. */
  displayPath: string;
  /** The whole file, as checksummed. */
  text: string;
  /** What runs: the file with dbmate/goose down sections blanked out (lines keep their numbers). */
  sql: string;
  checksum: string;
}

export interface MigrationDirectory {
  files: MigrationFile[];
  /** Files dbops migrate cannot track (no version in the name). */
  warnings: string[];
}

/**
 * Checksum of a migration's contents. Line endings are normalised first, so a checkout with
 * CRLF line endings (git autocrlf) does not look like a changed migration.
 */
export function checksumOf(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

/** Orders versions the way the linter's discovery orders files: as numbers, segment by segment. */
export function compareVersions(a: string, b: string): number {
  return compareMigrations({ path: '', version: a, name: '' }, { path: '', version: b, name: '' });
}

/** The migrations directory in apply order, in every layout `dbops lint` understands. */
export function loadMigrationFiles(dir: string, cwd = process.cwd()): MigrationDirectory {
  const shown = path.relative(cwd, dir) || dir;
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) {
    throw new UsageError(`the migrations directory ${shown} does not exist`, 'create it, or point --dir / migrations.dir in dbops.config.json at it');
  }
  const found = discoverMigrations([dir], { cwd, read: true });
  if (found.errors.length > 0) {
    const e = found.errors[0];
    const about = e.entry ?? e.input;
    throw new UsageError(`${path.relative(cwd, about) || about}: ${e.message}`, e.hint);
  }
  const warnings: string[] = [];
  const files: MigrationFile[] = [];
  for (const m of found.migrations) {
    const displayPath = path.relative(cwd, m.path) || m.path;
    if (m.version === null) {
      warnings.push(`${displayPath} has no version in its name and is not applied (name it like 0003_${m.name || 'change'}.sql)`);
      continue;
    }
    files.push({ version: m.version, name: m.name, path: m.path, displayPath, text: m.text!, sql: upMigrationText(m.text!), checksum: checksumOf(m.text!) });
  }
  for (let i = 1; i < files.length; i++) {
    if (compareVersions(files[i - 1].version, files[i].version) === 0) {
      throw new UsageError(`${files[i - 1].displayPath} and ${files[i].displayPath} have the same version ${files[i].version}`, 'give each migration a unique version');
    }
  }
  return { files, warnings };
}
