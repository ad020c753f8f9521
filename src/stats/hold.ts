import type { LockMode } from '../effects/locks';
import type { RelationEffect } from '../effects/types';
import { formatBytes } from '../util/size';
import type { StatsSnapshot, TableStats } from './types';

/**
 * How long a statement's heavy work holds its lock on an existing table, from the table's size
 * in a stats snapshot and the throughput measured on that server:
 *   rewrite      (table + indexes) / rewrite throughput + REWRITE_OVERHEAD_SECONDS
 *   index build  table / rewrite throughput + STATEMENT_OVERHEAD_SECONDS (read, sort and write the index)
 *   scan         table / scan throughput + STATEMENT_OVERHEAD_SECONDS
 * A model, checked against PostgreSQL 15 on tables of 10 MB to 1 GB (docs/benchmarks.md): within
 * 2x of the measured time there, not a promise on other hardware.
 */
export interface HoldEstimate {
  /** Schema-qualified, as in the snapshot: public.orders. */
  table: string;
  kind: 'rewrite' | 'scan' | 'index-build';
  /** The bytes the work goes through (table, plus indexes for a rewrite). */
  bytes: number;
  /** The table's own size plus its indexes: what size thresholds compare. */
  tableBytes: number;
  seconds: number;
  lock: LockMode;
}

/** Creating and syncing the new files of a rewrite: what a rewrite of a tiny table still costs. */
export const REWRITE_OVERHEAD_SECONDS = 0.1;
/** Catalog update and commit of any ALTER TABLE: what a scan of a tiny table still costs. */
export const STATEMENT_OVERHEAD_SECONDS = 0.02;

export class StatsIndex {
  private readonly tables: Map<string, TableStats>;

  constructor(readonly snapshot: StatsSnapshot) {
    this.tables = new Map(snapshot.tables.map((t) => [`${t.schema}.${t.name}`, t]));
  }

  /** A relation key from the effects model (`orders`, `sales.orders`): unqualified names are public's. */
  table(key: string): { qualified: string; stats: TableStats } | undefined {
    const qualified = key.includes('.') ? key : `public.${key}`;
    const stats = this.tables.get(qualified);
    return stats ? { qualified, stats } : undefined;
  }

  /** The longest hold among the statement's heavy effects on existing tables in the snapshot. */
  estimate(relations: readonly RelationEffect[]): HoldEstimate | undefined {
    let longest: HoldEstimate | undefined;
    for (const r of relations) {
      if (r.isNew) continue;
      const found = this.table(r.relation.key);
      if (!found) continue;
      const estimate = this.holdOn(found.qualified, found.stats, r);
      if (estimate && (!longest || estimate.seconds > longest.seconds)) longest = estimate;
    }
    return longest;
  }

  private holdOn(table: string, stats: TableStats, r: RelationEffect): HoldEstimate | undefined {
    const { scanBytesPerSecond, rewriteBytesPerSecond } = this.snapshot.throughput;
    const tableBytes = stats.heapBytes + stats.indexBytes;
    const base = { table, tableBytes, lock: r.lock };
    if (r.rewrite !== 'no') return { ...base, kind: 'rewrite', bytes: tableBytes, seconds: tableBytes / rewriteBytesPerSecond + REWRITE_OVERHEAD_SECONDS };
    if (r.indexBuild && !r.indexBuild.concurrent) {
      return { ...base, kind: 'index-build', bytes: stats.heapBytes, seconds: stats.heapBytes / rewriteBytesPerSecond + STATEMENT_OVERHEAD_SECONDS };
    }
    if (r.scan) return { ...base, kind: 'scan', bytes: stats.heapBytes, seconds: stats.heapBytes / scanBytesPerSecond + STATEMENT_OVERHEAD_SECONDS };
    return undefined;
  }
}

const VERB: Record<HoldEstimate['kind'], string> = { rewrite: 'rewrites', scan: 'scans', 'index-build': 'builds an index on' };

/** "rewrites public.orders (38.0 GB): ~6 min under AccessExclusiveLock" */
export function describeHold(hold: HoldEstimate): string {
  return `${VERB[hold.kind]} ${hold.table} (${formatBytes(hold.tableBytes)}): ~${roughDuration(hold.seconds)} under ${hold.lock}`;
}

/** One or two significant figures: an estimate, not a measurement. */
export function roughDuration(seconds: number): string {
  if (seconds < 1) return `${Math.max(0.1, Math.round(seconds * 10) / 10)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  return `${Math.round((seconds / 3600) * 10) / 10} h`;
}
