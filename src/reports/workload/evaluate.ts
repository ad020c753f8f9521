/** Thresholds → OK/WARNING/CRITICAL/UNKNOWN, the monitoring verdict of `dbops report workload`. */
import { UsageError } from '../../core/errors';
import { parseDuration, formatSeconds } from '../../util/duration';
import { PRIMARY_IN_RECOVERY } from '../../replication/topology';
import { VerdictBuilder, worstStatus, type Status, type Verdict } from '../status';
import { WRAPAROUND_LIMIT } from './horizon';
import type { NodeWorkload, TableWrites, WorkloadAnalysis } from './model';
import type { DatabaseAge } from './types';

/** The horizon's age: a duration (30min) or a number of transactions (50000000 xids). */
export type AgeThreshold = { seconds: number } | { xids: number };

export interface WorkloadThresholds {
  horizonWarn: AgeThreshold;
  horizonCritical: AgeThreshold;
  /** Wraparound headroom left, in percent, below which a database is WARNING / CRITICAL. */
  wraparoundWarn: number;
  wraparoundCritical: number;
  /** Dead-tuple ratio, in percent, at which a table is WARNING / CRITICAL. */
  deadWarn: number;
  deadCritical: number;
  /** Tables with fewer rows (live + dead) are not judged by their dead-tuple ratio. */
  deadMinRows: number;
}

export function parseAgeThreshold(text: string, flag: string): AgeThreshold {
  const xids = /^\s*(\d+)\s*(k|M)?\s*xids?\s*$/i.exec(text);
  if (xids) return { xids: Number(xids[1]) * (xids[2] ? (xids[2].toLowerCase() === 'k' ? 1e3 : 1e6) : 1) };
  try {
    return { seconds: parseDuration(text, flag) / 1000 };
  } catch {
    throw new UsageError(`invalid ${flag} "${text}"`, `use a duration (${flag} 30min) or a number of transactions (${flag} 50M xids)`);
  }
}

export function parsePercent(text: string, flag: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*%\s*$/.exec(text);
  if (!m || Number(m[1]) > 100) throw new UsageError(`invalid ${flag} "${text}"`, `use a percentage, e.g. ${flag} 20%`);
  return Number(m[1]);
}

export interface ThresholdFlags {
  horizonWarn: string;
  horizonCritical: string;
  wraparoundWarn: string;
  wraparoundCritical: string;
  deadWarn: string;
  deadCritical: string;
  deadMinRows: number;
}

export function parseWorkloadThresholds(f: ThresholdFlags): WorkloadThresholds {
  const t: WorkloadThresholds = {
    horizonWarn: parseAgeThreshold(f.horizonWarn, '--horizon-warn'),
    horizonCritical: parseAgeThreshold(f.horizonCritical, '--horizon-critical'),
    wraparoundWarn: parsePercent(f.wraparoundWarn, '--wraparound-warn'),
    wraparoundCritical: parsePercent(f.wraparoundCritical, '--wraparound-critical'),
    deadWarn: parsePercent(f.deadWarn, '--dead-warn'),
    deadCritical: parsePercent(f.deadCritical, '--dead-critical'),
    deadMinRows: f.deadMinRows,
  };
  const sameUnit = 'seconds' in t.horizonWarn === 'seconds' in t.horizonCritical;
  if (sameUnit && ageValue(t.horizonWarn) > ageValue(t.horizonCritical)) {
    throw new UsageError(`--horizon-warn (${f.horizonWarn}) is above --horizon-critical (${f.horizonCritical})`, 'the warning threshold must not exceed the critical one');
  }
  if (t.wraparoundWarn < t.wraparoundCritical) {
    throw new UsageError(`--wraparound-warn (${f.wraparoundWarn}) is below --wraparound-critical (${f.wraparoundCritical})`, 'headroom warns first: the warning percentage must be the larger one');
  }
  if (t.deadWarn > t.deadCritical) throw new UsageError(`--dead-warn (${f.deadWarn}) is above --dead-critical (${f.deadCritical})`, 'the warning threshold must not exceed the critical one');
  return t;
}

const ageValue = (t: AgeThreshold) => ('seconds' in t ? t.seconds : t.xids);
const describeAge = (t: AgeThreshold) => ('seconds' in t ? formatSeconds(t.seconds) : `${t.xids.toLocaleString('en-US')} xids`);

export type JudgedTable = TableWrites & Verdict;
export type JudgedDatabase = DatabaseAge & Verdict;
export type JudgedNode = NodeWorkload & Verdict;

export interface WorkloadVerdicts {
  status: Status;
  /** The primary's own verdict: reachable, really a primary, every horizon holder visible. */
  primary: Verdict;
  horizon: Verdict;
  databases: JudgedDatabase[];
  /** Tables over a dead-tuple threshold (any table, not only the busiest). */
  deadTables: JudgedTable[];
  nodes: JudgedNode[];
}

export function evaluateWorkload(a: WorkloadAnalysis, t: WorkloadThresholds): WorkloadVerdicts {
  const primary = new VerdictBuilder();
  if (!a.primary.reachable) primary.add('UNKNOWN', a.primary.error ?? 'unreachable');
  else if (a.primary.inRecovery) primary.add('WARNING', PRIMARY_IN_RECOVERY);
  for (const d of a.degradations) if (d.blocksVerdict) primary.add('UNKNOWN', `${d.missing} (${d.fix})`);

  const horizon = new VerdictBuilder();
  const oldest = a.horizon.holders[0];
  if (oldest) {
    const reached = (th: AgeThreshold) => ('xids' in th ? a.horizon.xidAge >= th.xids : a.horizon.seconds !== null && a.horizon.seconds >= th.seconds);
    const what = `xmin horizon ${a.horizon.xidAge.toLocaleString('en-US')} xids${a.horizon.seconds === null ? '' : ` / ${a.horizon.estimated ? '~' : ''}${formatSeconds(a.horizon.seconds)}`} old (${oldest.kind} ${oldest.name})`;
    if (reached(t.horizonCritical)) horizon.add('CRITICAL', `${what} ≥ ${describeAge(t.horizonCritical)}`);
    else if (reached(t.horizonWarn)) horizon.add('WARNING', `${what} ≥ ${describeAge(t.horizonWarn)}`);
  }

  const databases = a.databases.map((d) => {
    const v = new VerdictBuilder();
    const what = `${d.headroomPercent}% of transaction IDs left before wraparound`;
    // Compared unrounded: the percentage shown is rounded to one decimal.
    const left = (d.headroom / WRAPAROUND_LIMIT) * 100;
    if (left < t.wraparoundCritical) v.add('CRITICAL', `${what} < ${t.wraparoundCritical}%`);
    else if (left < t.wraparoundWarn) v.add('WARNING', `${what} < ${t.wraparoundWarn}%`);
    return { ...d, ...v.build() };
  });

  const deadTables = a.allTables.flatMap((tw) => {
    if (tw.deadRatio === null || tw.liveTuples + tw.deadTuples < t.deadMinRows) return [];
    const pct = Math.round(tw.deadRatio * 1000) / 10;
    const v = new VerdictBuilder();
    if (pct >= t.deadCritical) v.add('CRITICAL', `${pct}% dead tuples ≥ ${t.deadCritical}%`);
    else if (pct >= t.deadWarn) v.add('WARNING', `${pct}% dead tuples ≥ ${t.deadWarn}%`);
    const built = v.build();
    return built.status === 'OK' ? [] : [{ ...tw, ...built }];
  });

  const nodes = a.nodes.map((n) => {
    const v = new VerdictBuilder();
    if (!n.reachable) v.add('UNKNOWN', n.error ?? 'unreachable');
    return { ...n, ...v.build() };
  });

  const status = worstStatus([primary.build(), horizon.build(), ...databases, ...deadTables, ...nodes].map((x) => x.status));
  return { status, primary: primary.build(), horizon: horizon.build(), databases, deadTables, nodes };
}
