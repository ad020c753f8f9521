/**
 * How big the next batch is and how long to wait before it. Pure arithmetic, no I/O, so the
 * runner stays readable and this is testable without a server.
 */
export interface BatchSizing {
  start: number;
  /** Adapt so each batch's statement takes about this long; null keeps the size fixed. */
  targetMs: number | null;
  min: number;
  max: number;
}

export class BatchSizer {
  private size: number;
  private msPerRow: number | null = null;

  constructor(private readonly sizing: BatchSizing) {
    this.size = clamp(sizing.start, sizing.min, sizing.max);
  }

  get current(): number {
    return this.size;
  }

  /**
   * After a batch of `rows` keys took `ms`: move toward the target. A slower batch is believed at
   * once (locks are held longer than wanted); a faster one only half-way, and growth is capped at
   * 1.5× per batch, so one quick batch on a warm cache cannot make the next one hold its locks
   * far past the target.
   */
  record(rows: number, ms: number): void {
    if (this.sizing.targetMs === null || rows < this.size || rows === 0) return;
    const observed = Math.max(ms, 0.1) / rows;
    this.msPerRow = this.msPerRow === null || observed > this.msPerRow ? observed : 0.5 * this.msPerRow + 0.5 * observed;
    const ideal = this.sizing.targetMs / this.msPerRow;
    this.size = clamp(Math.round(ideal), Math.ceil(this.size / 2), Math.floor(this.size * 1.5));
    this.size = clamp(this.size, this.sizing.min, this.sizing.max);
  }

  /** After a statement timeout: the batch was too big for the time allowed. */
  halve(): void {
    this.size = clamp(Math.floor(this.size / 2), this.sizing.min, this.sizing.max);
    this.msPerRow = null;
  }
}

/** Wait before the next batch so the rows/s stay under maxRate, and at least `sleepMs`. */
export function pauseAfterBatch(rows: number, batchMs: number, maxRate: number | null, sleepMs: number): { ms: number; reason: string | null } {
  const rateWait = maxRate ? Math.max(0, (rows / maxRate) * 1000 - batchMs) : 0;
  if (rateWait > sleepMs && rateWait >= 1) return { ms: rateWait, reason: `rate limit ${maxRate} rows/s` };
  return { ms: sleepMs, reason: sleepMs > 0 ? `sleep ${sleepMs} ms between batches` : null };
}

/** SQLSTATEs worth retrying the same batch for, after a backoff. */
const RETRYABLE: Record<string, string> = {
  '55P03': 'lock timeout',
  '40P01': 'deadlock',
  '40001': 'serialization failure',
  '57014': 'statement timeout',
};

export function retryReason(err: unknown): string | undefined {
  const code = (err as { code?: string } | null)?.code;
  if (code === '57014' && !/statement timeout/i.test((err as Error).message)) return undefined;
  return code ? RETRYABLE[code] : undefined;
}

/** Exponential backoff with jitter: 100 ms, 200 ms, 400 ms … capped at 5 s. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(5000, 100 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + random() * (base / 2));
}

function clamp(n: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, n));
}
