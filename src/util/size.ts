import { UsageError } from '../core/errors';

const UNIT_BYTES: Record<string, number> = { b: 1, kb: 1024, k: 1024, mb: 1024 ** 2, m: 1024 ** 2, gb: 1024 ** 3, g: 1024 ** 3, tb: 1024 ** 4, t: 1024 ** 4 };

/** Parses a size the way PostgreSQL writes them (`512kB`, `16MB`, `1GB`, 1024-based); a bare number is bytes. */
export function parseSize(text: string, what = 'size'): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?b?)?\s*$/i.exec(String(text));
  if (!m || (m[2] && !(m[2].toLowerCase() in UNIT_BYTES))) {
    throw new UsageError(`invalid ${what} "${text}"`, 'use a number with a unit: 512kB, 16MB, 1GB (a bare number means bytes)');
  }
  return Math.round(Number(m[1]) * UNIT_BYTES[(m[2] || 'b').toLowerCase()]);
}

/** 0 B, 104 B, 714.8 kB, 16.0 MB — PostgreSQL's units, 1024-based. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'kB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let i = 0;
  while (value >= 1024 && i < units.length - 1) {
    value /= 1024;
    i++;
  }
  return i === 0 ? `${value} B` : `${value.toFixed(1)} ${units[i]}`;
}
