import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../cli/errors';

/** One migration file as found on disk. */
export interface MigrationFile {
  /** The ordering key and tracking id, e.g. "0003" or "20261123114500". */
  version: string;
  /** The descriptive part of the file name, e.g. "add_accounts_email". */
  name: string;
  /** Absolute path. */
  path: string;
  /** Path relative to the current directory, for messages. */
  displayPath: string;
  text: string;
  checksum: string;
}

/**
 * Checksum of a migration's contents. Line endings are normalised first, so a checkout with
 * CRLF line endings (git autocrlf) does not look like a changed migration.
 */
export function checksumOf(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n'), 'utf8').digest('hex');
}

const LAYOUTS: RegExp[] = [
  /^(\d+)_(.+)\.sql$/, // 0001_name.sql, 20261123114500_name.sql
  /^V(\d+(?:[._]\d+)*)__(.+)\.sql$/, // Flyway V1__name.sql
];

/** Reads the migrations directory: `NNNN_name.sql` or `V1__name.sql`, ordered by numeric version. */
export function loadMigrationFiles(dir: string, cwd = process.cwd()): MigrationFile[] {
  let entries: string[];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    throw new UsageError(`cannot read the migrations directory ${path.relative(cwd, dir) || dir}`, 'create it, or point --dir / migrations.dir in dbops.config.json at it');
  }
  const files: MigrationFile[] = [];
  for (const entry of entries) {
    const match = LAYOUTS.map((re) => re.exec(entry)).find((m) => m !== null);
    if (!match) continue;
    const full = path.join(dir, entry);
    const text = fs.readFileSync(full, 'utf8');
    files.push({ version: match[1], name: match[2], path: full, displayPath: path.relative(cwd, full) || full, text, checksum: checksumOf(text) });
  }
  files.sort((a, b) => compareVersions(a.version, b.version));
  for (let i = 1; i < files.length; i++) {
    if (compareVersions(files[i - 1].version, files[i].version) === 0) {
      throw new UsageError(`${files[i - 1].displayPath} and ${files[i].displayPath} have the same version ${files[i].version}`, 'give each migration a unique version prefix');
    }
  }
  return files;
}

/** Orders "2" before "10" and "1.2" before "1.10". */
export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[._]/).map((p) => BigInt(p));
  const pb = b.split(/[._]/).map((p) => BigInt(p));
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i] ?? -1n;
    const y = pb[i] ?? -1n;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}
