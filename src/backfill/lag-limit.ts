import { UsageError } from '../core/errors';
import { parseDuration } from '../util/duration';

/** --max-replica-lag: seconds and/or bytes; the runner pauses while any replica is above either. */
export interface LagLimit {
  seconds: number | null;
  bytes: number | null;
}

/** One replica's lag as the lag reader saw it. */
export interface ReplicaLag {
  replica: string;
  seconds: number | null;
  bytes: number | null;
  /** Set when the replica could not be read: its lag is unknown, which counts as too high. */
  error?: string;
}

const BYTE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 ** 2, gb: 1024 ** 3, tb: 1024 ** 4 };

/** Parses "1s", "500ms", "64MB", or both: "2s,64MB". */
export function parseLagLimit(text: string, what = '--max-replica-lag'): LagLimit {
  const limit: LagLimit = { seconds: null, bytes: null };
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const bytes = /^(\d+(?:\.\d+)?)\s*(b|kb|mb|gb|tb)$/i.exec(part);
    if (bytes) limit.bytes = Math.round(Number(bytes[1]) * BYTE_UNITS[bytes[2].toLowerCase()]);
    else limit.seconds = parseDuration(part, what) / 1000;
  }
  if (limit.seconds === null && limit.bytes === null) {
    throw new UsageError(`invalid ${what} "${text}"`, 'give seconds and/or bytes: 1s, 500ms, 64MB or 2s,64MB');
  }
  return limit;
}

/**
 * Why the runner must wait, e.g. "replica standby1 4.2 s behind", or null when every replica is
 * within the limit. A replica that is behind falls further behind while the next batch runs, so
 * its time lag plus `nextBatchSeconds` must stay within the limit; one that has caught up (0 s)
 * never holds the next batch back.
 */
export function lagPauseReason(samples: ReplicaLag[], limit: LagLimit, nextBatchSeconds = 0): string | null {
  const reasons: Array<{ text: string; weight: number }> = [];
  for (const s of samples) {
    if (s.error) reasons.push({ text: `replica ${s.replica} unreachable (${s.error})`, weight: Infinity });
    else if (limit.seconds !== null && s.seconds !== null && s.seconds > 0 && s.seconds + nextBatchSeconds > limit.seconds) reasons.push({ text: `replica ${s.replica} ${s.seconds.toFixed(1)} s behind`, weight: pressure(s, limit) });
    else if (limit.bytes !== null && s.bytes !== null && s.bytes > limit.bytes) reasons.push({ text: `replica ${s.replica} ${formatBytes(s.bytes)} behind`, weight: pressure(s, limit) });
  }
  if (reasons.length === 0) return null;
  // Fifty replicas behind a stalled intermediate would make a line nobody reads: the worst few, and a count.
  const shown = reasons.sort((a, b) => b.weight - a.weight).slice(0, MAX_REASONS).map((r) => r.text);
  return reasons.length > MAX_REASONS ? `${shown.join(', ')} and ${reasons.length - MAX_REASONS} more` : shown.join(', ');
}

const MAX_REASONS = 3;

/** How close a replica is to the limit: its lag over the limit, the larger of seconds and bytes. */
function pressure(s: ReplicaLag, limit: LagLimit): number {
  const bySeconds = limit.seconds && s.seconds !== null ? s.seconds / limit.seconds : 0;
  const byBytes = limit.bytes && s.bytes !== null ? s.bytes / limit.bytes : 0;
  return Math.max(bySeconds, byBytes);
}

/** The replica closest to the limit (an unreadable one first), named in each batch's progress; null when none is watched. */
export function limitingReplica(samples: ReplicaLag[], limit: LagLimit): { replica: string; seconds: number | null; bytes: number | null; error?: string } | null {
  let worst: ReplicaLag | undefined;
  for (const s of samples) {
    if (!worst || (s.error ? Infinity : pressure(s, limit)) > (worst.error ? Infinity : pressure(worst, limit))) worst = s;
  }
  return worst ? { replica: worst.replica, seconds: worst.seconds, bytes: worst.bytes, ...(worst.error ? { error: worst.error } : {}) } : null;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['kB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(1)} ${units[i]}`;
}
