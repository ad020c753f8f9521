import { formatSeconds } from '../util/duration';
import { formatBytes } from './lag-limit';
import type { Cursor } from './types';

/** What the runner reports; --format json prints each as one line, the terminal renders them. */
export type ProgressEvent =
  | { event: 'start'; name: string; table: string; key: string[]; estimatedRows: number | null; resumedFrom: Cursor; rowsDone: number; rowsScanned: number }
  | {
      event: 'batch';
      name: string;
      /** When the batch committed (ISO 8601). */
      at: string;
      batch: number;
      scanned: number;
      updated: number;
      rowsDone: number;
      rowsScanned: number;
      estimatedRows: number | null;
      batchSize: number;
      nextBatchSize: number;
      ms: number;
      lockMs: number;
      rowsPerSecond: number;
      etaSeconds: number | null;
      cursor: Cursor;
      retries: number;
      /** What slows the runner down before the next batch (rate limit, sleep), if anything. */
      throttle: string | null;
      /** With --max-replica-lag: the replica closest to the limit when the batch started. */
      limitingReplica?: { replica: string; seconds: number | null; bytes: number | null; error?: string } | null;
    }
  | { event: 'watching'; name: string; replicas: string[]; unseen: string[] }
  | { event: 'pause'; name: string; kind: 'replica-lag' | 'operator' | 'throttle'; reason: string }
  | { event: 'resume'; name: string; pausedSeconds: number }
  | { event: 'retry'; name: string; reason: string; attempt: number; waitMs: number; error: string }
  | { event: 'done'; name: string; rowsDone: number; rowsScanned: number; batches: number; seconds: number }
  | { event: 'stopped'; name: string; status: 'paused' | 'cancelled' | 'failed'; reason: string; rowsDone: number; rowsScanned: number; batches: number };

export interface ProgressSink {
  emit(e: ProgressEvent): void;
  close(): void;
}

/**
 * For line-based outputs: while a pause lasts, its reason keeps changing ("4.2 s behind",
 * "4.5 s behind"); only the first is passed on. The terminal line shows every update instead.
 */
function firstLineOfEachPause(emit: (e: ProgressEvent) => void): (e: ProgressEvent) => void {
  let pausedFor: string | null = null;
  return (e) => {
    if (e.event === 'pause') {
      if (pausedFor === e.kind) return;
      pausedFor = e.kind;
    } else if (e.event !== 'retry') pausedFor = null;
    emit(e);
  };
}

export function jsonProgress(write: (line: string) => void): ProgressSink {
  return { emit: firstLineOfEachPause((e) => write(JSON.stringify(e))), close: () => undefined };
}

const n = (v: number) => Math.round(v).toLocaleString('en-US');

/** "120,000 / ~1,000,000 rows (12%) · 8,400 rows/s · ETA 1 min 45 s · batch 2,000" */
export function progressLine(e: Extract<ProgressEvent, { event: 'batch' }>, throttle: string | null): string {
  const total = e.estimatedRows ? ` / ~${n(Math.max(e.estimatedRows, e.rowsScanned))}` : '';
  const pct = e.estimatedRows ? ` (${Math.min(100, Math.floor((100 * e.rowsScanned) / Math.max(e.estimatedRows, 1)))}%)` : '';
  const eta = e.etaSeconds === null ? '' : ` · ETA ${formatSeconds(e.etaSeconds)}`;
  const updated = e.rowsDone !== e.rowsScanned ? ` · ${n(e.rowsDone)} updated` : '';
  const limiting = e.limitingReplica ? ` · slowest replica ${describeReplicaLag(e.limitingReplica)}` : '';
  return `${e.name}: ${n(e.rowsScanned)}${total} rows${pct}${updated} · ${n(e.rowsPerSecond)} rows/s${eta} · batch ${n(e.nextBatchSize)}${limiting}${throttle ? ` · ${throttle}` : ''}`;
}

function describeReplicaLag(r: { replica: string; seconds: number | null; bytes: number | null; error?: string }): string {
  if (r.error) return `${r.replica} (unreadable)`;
  const parts = [r.seconds === null ? null : `${r.seconds.toFixed(1)} s`, r.bytes === null ? null : formatBytes(r.bytes)].filter(Boolean);
  return `${r.replica}${parts.length ? ` ${parts.join(' / ')}` : ''}`;
}

export function summaryLine(e: ProgressEvent): string {
  switch (e.event) {
    case 'done':
      return `backfill ${e.name} done: ${n(e.rowsDone)} rows updated (${n(e.rowsScanned)} scanned) in ${n(e.batches)} batches, ${formatSeconds(e.seconds)}`;
    case 'stopped':
      return `backfill ${e.name} ${e.status}: ${e.reason}; ${n(e.rowsDone)} rows updated so far (${n(e.rowsScanned)} scanned, ${n(e.batches)} batches)`;
    case 'pause':
      return `${e.name}: paused: ${e.reason}`;
    case 'resume':
      return `${e.name}: resumed after ${formatSeconds(e.pausedSeconds)}`;
    case 'retry':
      return `${e.name}: ${e.reason} (${e.error}); retry ${e.attempt} in ${e.waitMs} ms`;
    case 'watching':
      return `${e.name}: watching the lag of ${e.replicas.length} replica${e.replicas.length === 1 ? '' : 's'}${e.unseen.length ? `; cannot see: ${e.unseen.join('; ')}` : ''}`;
    case 'start':
      return e.resumedFrom
        ? `${e.name}: resuming ${e.table} after key (${e.resumedFrom.join(', ')}), ${n(e.rowsScanned)} rows already done`
        : `${e.name}: starting ${e.table}, key (${e.key.join(', ')}), ~${n(e.estimatedRows ?? 0)} rows`;
    case 'batch':
      return progressLine(e, e.throttle);
  }
}

/** On a terminal: one ora line, rewritten per batch, showing the throttle reason while paused. */
export function terminalProgress(stream: NodeJS.WriteStream): ProgressSink {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const ora = require('ora') as typeof import('ora');
  const spinner = ora({ stream, text: 'starting' }).start();
  let last: Extract<ProgressEvent, { event: 'batch' }> | undefined;
  return {
    emit(e) {
      if (e.event === 'batch') {
        last = e;
        spinner.text = progressLine(e, e.throttle);
      } else if (e.event === 'pause' || e.event === 'retry') {
        const reason = e.event === 'pause' ? `paused: ${e.reason}` : summaryLine(e).replace(`${e.name}: `, '');
        spinner.text = last ? progressLine(last, reason) : `${e.name}: ${reason}`;
      } else if (e.event === 'resume' && last) {
        spinner.text = progressLine(last, last.throttle);
      } else if (e.event === 'done') {
        spinner.succeed(summaryLine(e));
      } else if (e.event === 'stopped') {
        spinner.stopAndPersist({ symbol: e.status === 'failed' ? '✖' : '■', text: summaryLine(e) });
      } else if (e.event === 'start') {
        spinner.text = summaryLine(e);
      } else if (e.event === 'watching') {
        spinner.info(summaryLine(e)).start();
      }
    },
    close: () => {
      if (spinner.isSpinning) spinner.stop();
    },
  };
}

/** Not a terminal, not JSON (logs, CI): pauses, retries and a progress line every few seconds on stderr; the outcome on stdout. */
export function plainProgress(writeErr: (line: string) => void, writeOut: (line: string) => void, everyMs = 5000): ProgressSink {
  let lastAt = 0;
  return {
    emit: firstLineOfEachPause((e) => {
      if (e.event === 'batch') {
        if (Date.now() - lastAt < everyMs) return;
        lastAt = Date.now();
      }
      (e.event === 'done' || e.event === 'stopped' ? writeOut : writeErr)(summaryLine(e));
    }),
    close: () => undefined,
  };
}
