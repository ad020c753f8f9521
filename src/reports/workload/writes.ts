/** Writes by table and WAL by statement, from the difference between the two samples. */
import type { TableWrites } from './model';
import type { AutovacuumSettings, StatementRow, TableStatsRow } from './types';

/** Never negative: a statistics reset between the samples reads as "nothing happened". */
const delta = (after: number, before: number | undefined) => Math.max(0, after - (before ?? 0));

export function tableWrites(first: TableStatsRow[], second: TableStatsRow[], autovacuum: AutovacuumSettings, seconds: number): TableWrites[] {
  const before = new Map(first.map((t) => [t.name, t]));
  const rows = second.map((t) => {
    const b = before.get(t.name);
    const ins = delta(t.inserts, b?.inserts);
    const upd = delta(t.updates, b?.updates);
    const hot = delta(t.hotUpdates, b?.hotUpdates);
    const del = delta(t.deletes, b?.deletes);
    const total = t.liveTuples + t.deadTuples;
    const av = autovacuumState(t, autovacuum);
    return {
      name: t.name,
      insertsPerSecond: ins / seconds,
      updatesPerSecond: upd / seconds,
      deletesPerSecond: del / seconds,
      writesPerSecond: (ins + upd + del) / seconds,
      share: 0,
      totalWrites: t.inserts + t.updates + t.deletes,
      hotUpdateRatio: upd > 0 ? Math.min(1, hot / upd) : null,
      liveTuples: t.liveTuples,
      deadTuples: t.deadTuples,
      deadRatio: total > 0 ? t.deadTuples / total : null,
      sinceVacuumSeconds: t.sinceVacuumSeconds,
      autovacuum: av.state,
      autovacuumNote: av.note,
      walBytesPerSecond: null,
    } satisfies TableWrites;
  });
  const all = rows.reduce((sum, r) => sum + r.writesPerSecond, 0);
  for (const r of rows) r.share = all > 0 ? r.writesPerSecond / all : 0;
  return rows.sort(byWriteLoad);
}

/** Busiest first: by writes during the interval, then by writes since the statistics were reset. */
export function byWriteLoad(a: { writesPerSecond: number; totalWrites: number; name: string }, b: typeof a): number {
  return b.writesPerSecond - a.writesPerSecond || b.totalWrites - a.totalWrites || a.name.localeCompare(b.name);
}

/**
 * Autovacuum's own trigger: dead rows over threshold + scale factor × reltuples, or (13+) rows
 * inserted since the last vacuum over the insert threshold + insert scale factor × reltuples,
 * with the table's reloptions overriding the server's settings.
 */
function autovacuumState(t: TableStatsRow, s: AutovacuumSettings): { state: TableWrites['autovacuum']; note: string | null } {
  if (!s.enabled || !t.autovacuumEnabled) return { state: 'disabled', note: s.enabled ? 'autovacuum_enabled = off on the table' : 'autovacuum = off on the server' };
  const deadTrigger = (t.vacuumThreshold ?? s.vacuumThreshold) + (t.vacuumScaleFactor ?? s.vacuumScaleFactor) * t.reltuples;
  if (t.deadTuples > deadTrigger) return { state: 'overdue', note: `${fmt(t.deadTuples)} dead rows > autovacuum trigger ${fmt(deadTrigger)}` };
  const insertThreshold = t.insertThreshold ?? s.insertThreshold;
  if (insertThreshold !== null && insertThreshold >= 0 && t.insertsSinceVacuum !== null) {
    const insertTrigger = insertThreshold + (t.insertScaleFactor ?? s.insertScaleFactor ?? 0) * t.reltuples;
    if (t.insertsSinceVacuum > insertTrigger) return { state: 'overdue', note: `${fmt(t.insertsSinceVacuum)} rows inserted since vacuum > trigger ${fmt(insertTrigger)}` };
  }
  return { state: 'ok', note: null };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

export interface StatementDelta {
  row: StatementRow;
  calls: number;
  totalMs: number;
  walBytes: number | null;
}

/** Each entry of the second sample with what it did during the interval (an entry new in the second counts whole). */
export function statementDeltas(first: StatementRow[] | null, second: StatementRow[]): StatementDelta[] {
  const before = new Map((first ?? []).map((s) => [s.key, s]));
  return second.map((row) => {
    const b = before.get(row.key);
    return {
      row,
      calls: delta(row.calls, b?.calls),
      totalMs: delta(row.totalMs, b?.totalMs),
      walBytes: row.walBytes === null ? null : delta(row.walBytes, b?.walBytes ?? 0),
    };
  });
}
