import { UsageError } from '../core/errors';

const UNIT_MS: Record<string, number> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const UNITS_HELP = 'us, ms, s, min, h, d';

/**
 * Parses a duration given by the user — every duration flag and config key of every command goes
 * through here, so they all follow one rule: a number with a unit (`250ms`, `5s`, `5 min`, `1h`,
 * `2d`), or `0`. A bare number is refused rather than guessed: some tools read it as seconds,
 * PostgreSQL as milliseconds, and a guess off by 1000× is worse than an error. Returns milliseconds.
 */
export function parseDuration(text: string, what = 'duration'): number {
  const value = String(text);
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(value);
  if (!m) {
    throw new UsageError(`invalid ${what} "${value}"`, `use a number with a unit (${UNITS_HELP}): e.g. 500ms, 5s, 2min, 1h`);
  }
  const amount = Number(m[1]);
  if (m[2] === undefined) {
    if (amount === 0) return 0;
    throw new UsageError(`${what} "${value.trim()}" has no unit`, `write ${amount}s or ${amount}ms (units: ${UNITS_HELP}); a bare number is accepted only for 0`);
  }
  return amount * UNIT_MS[m[2].toLowerCase()];
}

/** A value PostgreSQL stored for a time setting (pg_db_role_setting, SHOW): its own rule, a bare number is milliseconds. */
export function parseSettingMs(text: string): number {
  return /^\s*\d+(?:\.\d+)?\s*$/.test(text) ? Number(text) : parseDuration(text, 'stored timeout value');
}

/** Formats milliseconds the way PostgreSQL shows timeouts: the largest unit that divides evenly. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0';
  for (const [unit, size] of [['d', 86_400_000], ['h', 3_600_000], ['min', 60_000], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/** Human-friendly seconds for reports: 0.4 s, 12 s, 3 min 5 s. */
export function formatSeconds(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  const min = Math.floor(seconds / 60);
  if (min < 120) return `${min} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}
