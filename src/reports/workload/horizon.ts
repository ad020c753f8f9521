/** Who holds the xmin horizon back (and so keeps VACUUM from removing dead rows), oldest first. */
import type { HorizonRead } from './collect';
import type { Horizon } from './model';
import type { DatabaseAge, HorizonHolder } from './types';

/** Transactions the server can assign before it stops to avoid wraparound: 2^31 − 1 less its 3,000,000 safety margin. */
export const WRAPAROUND_LIMIT = 2 ** 31 - 1 - 3_000_000;

export function horizonOf(read: HorizonRead, xidsPerSecond: number | null): Horizon {
  const estimate = (xidAge: number, seconds: number | null) => (seconds === null && xidsPerSecond ? xidAge / xidsPerSecond : null);
  const holders: HorizonHolder[] = [];
  for (const s of read.sessions) {
    holders.push({
      kind: s.state.startsWith('idle in transaction') ? 'idle in transaction' : 'session',
      name: `pid ${s.pid} (${s.application})`,
      detail: [`${s.username}@${s.datname ?? '—'}`, s.state, s.backend_type !== 'client backend' ? s.backend_type : null].filter(Boolean).join(', '),
      xidAge: s.xid_age,
      seconds: s.xact_age_s,
      estimatedSeconds: estimate(s.xid_age, s.xact_age_s),
      pid: s.pid,
    });
  }
  for (const slot of read.slots) {
    if (slot.xminAge === null && slot.catalogXminAge === null) continue;
    const xidAge = Math.max(slot.xminAge ?? 0, slot.catalogXminAge ?? 0);
    const what = slot.xminAge !== null && slot.xminAge >= (slot.catalogXminAge ?? 0) ? 'xmin' : 'catalog_xmin (system catalogs)';
    holders.push({
      kind: 'replication slot',
      name: slot.name,
      detail: `${slot.type}${slot.plugin ? ` (${slot.plugin})` : ''}, ${slot.active ? 'active' : 'inactive'}, holds ${what}`,
      xidAge,
      seconds: null,
      estimatedSeconds: estimate(xidAge, null),
    });
  }
  for (const p of read.prepared) {
    holders.push({ kind: 'prepared transaction', name: p.gid, detail: `${p.owner}@${p.database}`, xidAge: p.xid_age, seconds: p.age_s, estimatedSeconds: null });
  }
  for (const f of read.feedback) {
    holders.push({ kind: 'standby feedback', name: f.application, detail: `hot_standby_feedback, ${f.state}`, xidAge: f.xid_age, seconds: null, estimatedSeconds: estimate(f.xid_age, null) });
  }
  holders.sort((a, b) => b.xidAge - a.xidAge || (b.seconds ?? b.estimatedSeconds ?? 0) - (a.seconds ?? a.estimatedSeconds ?? 0));
  const timed = holders.map((h) => ({ s: h.seconds ?? h.estimatedSeconds, estimated: h.seconds === null })).filter((t) => t.s !== null);
  const oldest = timed.reduce<{ s: number | null; estimated: boolean }>((best, t) => (best.s === null || t.s! > best.s ? t : best), { s: null, estimated: false });
  return { xidAge: holders[0]?.xidAge ?? 0, seconds: oldest.s, estimated: oldest.estimated, xidsPerSecond, holders };
}

export function databaseAges(rows: Array<{ database: string; xidAge: number }>): DatabaseAge[] {
  return rows.map((r) => {
    const headroom = Math.max(0, WRAPAROUND_LIMIT - r.xidAge);
    return { database: r.database, xidAge: r.xidAge, headroom, headroomPercent: Math.round((headroom / WRAPAROUND_LIMIT) * 1000) / 10 };
  });
}
