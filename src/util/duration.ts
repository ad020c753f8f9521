import { UsageError } from '../core/errors';

const UNIT_MS: Record<string, number> = {
  us: 0.001,
  ms: 1,
  s: 1000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/**
 * Parses a duration the way PostgreSQL's GUCs accept it: `250ms`, `5s`, `5 min`, `1h`, `2d`, or a
 * bare integer meaning milliseconds. Returns milliseconds.
 */
export function parseDuration(text: string, what = 'duration'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(us|ms|s|min|h|d)?\s*$/i.exec(String(text));
  if (!m) {
    throw new UsageError(`invalid ${what} "${text}"`, 'use a number with a unit: 500ms, 5s, 2min, 1h (a bare number means ms)');
  }
  const value = Number(m[1]);
  const unit = (m[2] ?? 'ms').toLowerCase();
  return value * UNIT_MS[unit];
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
