import * as fs from 'node:fs';
import * as path from 'node:path';
import { UsageError } from '../core/errors';
import { parseDuration } from '../util/duration';
import { registerConnectionSecrets } from '../db/redact';
import { stripJsonComments } from './jsonc';
import { DEFAULT_MAX_LOCK_TIMEOUT, DEFAULT_PG_VERSION, TOP_LEVEL_KEYS, type DbopsConfig } from './schema';

export const CONFIG_FILE_NAME = 'dbops.config.json';

export interface LoadedConfig {
  config: DbopsConfig;
  /** The file it came from, or undefined when none was found (all defaults). */
  path?: string;
  /** Directory relative paths in the config are resolved against. */
  baseDir: string;
  pgVersion: number;
  maxLockTimeoutMs: number;
}

/**
 * How an error names a config key: with the file it came from, so a mistake in the config is
 * never mistaken for one in the flags (`/repo/dbops.config.json: lint.rules.x`).
 */
export function configKey(file: string | undefined, key: string): string {
  return `${file ?? CONFIG_FILE_NAME}: ${key}`;
}

/** Walks up from cwd to the filesystem root looking for dbops.config.json. */
export function findConfigFile(cwd: string): string | undefined {
  let dir = path.resolve(cwd);
  for (;;) {
    const candidate = path.join(dir, CONFIG_FILE_NAME);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

export function loadConfig(options: { explicitPath?: string; cwd: string }): LoadedConfig {
  const file = options.explicitPath ? path.resolve(options.cwd, options.explicitPath) : findConfigFile(options.cwd);
  if (!file) return withDefaults({}, undefined, options.cwd);
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    throw new UsageError(`cannot read config file ${file}`, 'check the --config path');
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(stripJsonComments(text));
  } catch (err) {
    throw new UsageError(`${file} is not valid JSON: ${(err as Error).message}`, 'fix the JSON syntax');
  }
  registerStrings(parsed);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`${file} must hold a JSON object`, 'see docs/configuration.md');
  }
  for (const key of Object.keys(parsed)) {
    if (!(TOP_LEVEL_KEYS as readonly string[]).includes(key)) {
      throw new UsageError(`${file}: unknown key "${key}"`, `known keys: ${TOP_LEVEL_KEYS.filter((k) => k !== '$schema').join(', ')}`);
    }
  }
  checkShape(parsed as Record<string, unknown>, file);
  return withDefaults(parsed as DbopsConfig, file, path.dirname(file));
}

/** Every section is an object and the paths and URLs are strings; each feature checks its section's values. */
function checkShape(config: Record<string, unknown>, file: string): void {
  for (const [key, value] of Object.entries(config)) {
    if (key === '$schema' || key === 'pgVersion') continue;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      throw new UsageError(`${configKey(file, key)} must be an object`, 'see docs/configuration.md');
    }
  }
  const strings: Array<[string, unknown]> = [
    ['database.url', (config.database as DbopsConfig['database'])?.url],
    ['migrations.dir', (config.migrations as DbopsConfig['migrations'])?.dir],
  ];
  for (const [key, value] of strings) {
    if (value !== undefined && (typeof value !== 'string' || value === '')) {
      throw new UsageError(`${configKey(file, key)} must be a non-empty string, got ${JSON.stringify(value)}`, 'see docs/configuration.md');
    }
  }
}

/** Connection URLs in the config (database.url, topology) may carry passwords: mask them in every message. */
function registerStrings(value: unknown): void {
  if (typeof value === 'string') registerConnectionSecrets(value);
  else if (value && typeof value === 'object') for (const v of Object.values(value)) registerStrings(v);
}

function withDefaults(config: DbopsConfig, file: string | undefined, baseDir: string): LoadedConfig {
  const where = file ?? 'configuration';
  const pgVersion = config.pgVersion ?? DEFAULT_PG_VERSION;
  if (!Number.isInteger(pgVersion) || pgVersion < 11 || pgVersion > 18) {
    throw new UsageError(`${where}: pgVersion must be a whole number from 11 to 18, got ${JSON.stringify(config.pgVersion)}`, 'set e.g. "pgVersion": 15');
  }
  const maxLockTimeoutMs = parseDuration(config.policy?.maxLockTimeout ?? DEFAULT_MAX_LOCK_TIMEOUT, `${where}: policy.maxLockTimeout`);
  const rules = config.lint?.rules ?? {};
  for (const [id, sev] of Object.entries(rules)) {
    if (!['off', 'warning', 'error'].includes(sev as string)) {
      throw new UsageError(`${where}: lint.rules.${id} must be "off", "warning" or "error", got ${JSON.stringify(sev)}`, 'fix the severity');
    }
  }
  return { config, path: file, baseDir, pgVersion, maxLockTimeoutMs };
}
