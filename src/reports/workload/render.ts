import { colourStatus, DASH, formatAge, formatBytes, jsonDocument, summaryLine } from '../render/format';
import { Exposition } from '../render/prometheus';
import { renderTable } from '../../output/table';
import { countStatuses, STATUS_EXIT_CODE, type Status } from '../status';
import type { WorkloadThresholds, WorkloadVerdicts } from './evaluate';
import type { NamedCount, WorkloadAnalysis } from './model';

export interface WorkloadReport {
  generatedAt: Date;
  status: Status;
  thresholds: WorkloadThresholds;
  analysis: WorkloadAnalysis;
  verdicts: WorkloadVerdicts;
}

const SHORT = 70;
const short = (text: string) => (text.length > SHORT ? `${text.slice(0, SHORT - 1)}…` : text);
const n0 = (n: number) => Math.round(n).toLocaleString('en-US');
const rate = (n: number) => (n >= 100 ? n0(n) : n >= 10 ? n.toFixed(1) : n.toFixed(2));
const pct = (ratio: number | null) => (ratio === null ? DASH : `${Math.round(ratio * 1000) / 10}%`);
const perSecond = (bytes: number | null) => (bytes === null ? DASH : `${formatBytes(Math.round(bytes))}/s`);
const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(1)} s` : n >= 1 ? `${n.toFixed(1)} ms` : `${n.toFixed(3)} ms`);

export function workloadText(report: WorkloadReport): string {
  const a = report.analysis;
  const v = report.verdicts;
  const out: string[] = [];
  const p = a.primary;
  if (!p.reachable) out.push(`Primary ${p.label}: ${p.error}`);
  else {
    out.push(
      `Workload on ${p.label} over ${a.intervalSeconds.toFixed(1)} s: ${rate(a.writesPerSecond)} rows written/s` +
        `${a.serverWalBytesPerSecond === null ? '' : `, WAL ${perSecond(a.serverWalBytesPerSecond)}`}` +
        `${a.horizon.xidsPerSecond === null ? '' : `, ${rate(a.horizon.xidsPerSecond)} transactions/s`}`,
    );
    out.push('', 'Writes by table:');
    out.push(a.tables.length === 0 ? '  no tables' : renderTable(
      ['table', 'ins/s', 'upd/s', 'del/s', 'share', 'HOT', 'dead', 'dead %', 'vacuumed', 'autovacuum', 'WAL/s'],
      a.tables.map((t) => [
        t.name, rate(t.insertsPerSecond), rate(t.updatesPerSecond), rate(t.deletesPerSecond), pct(t.share), pct(t.hotUpdateRatio),
        n0(t.deadTuples), pct(t.deadRatio), t.sinceVacuumSeconds === null ? 'never' : `${formatAge(t.sinceVacuumSeconds)} ago`,
        t.autovacuumNote ? `${t.autovacuum}: ${t.autovacuumNote}` : t.autovacuum, perSecond(t.walBytesPerSecond),
      ]),
      [1, 2, 3, 4, 5, 6, 7, 10],
    ));
    if (a.statements.length > 0) {
      out.push('Statements that write, by WAL:');
      out.push(renderTable(
        ['queryid', 'user', 'writes', 'calls/s', 'WAL/s', 'WAL total', 'statement'],
        a.statements.map((s) => [s.queryid, s.user, s.tables.join(', '), rate(s.callsPerSecond), perSecond(s.walBytesPerSecond), s.walBytes === null ? DASH : formatBytes(s.walBytes), short(s.text)]),
        [3, 4, 5],
      ));
    }
    out.push('', `Vacuum blockers: ${horizonLine(report)}`);
    if (a.horizon.holders.length > 0) {
      out.push(renderTable(
        ['holder', 'kind', 'detail', 'xid age', 'held for'],
        a.horizon.holders.map((h) => [h.name, h.kind, h.detail, n0(h.xidAge), h.seconds !== null ? formatAge(h.seconds) : h.estimatedSeconds !== null ? `~${formatAge(h.estimatedSeconds)}` : DASH]),
        [3, 4],
      ));
    }
    if (a.slots.length > 0) {
      out.push(renderTable(
        ['replication slot', 'type', 'active', 'WAL retained', 'wal status'],
        a.slots.map((s) => [s.name, s.type, s.active ? 'yes' : 'NO', s.retainedBytes === null ? DASH : formatBytes(s.retainedBytes), s.walStatus ?? DASH]),
        [3],
      ));
    }
    out.push(renderTable(
      ['database', 'datfrozenxid age', 'wraparound headroom', 'status', 'note'],
      v.databases.map((d) => [d.database, n0(d.xidAge), `${d.headroomPercent}%`, colourStatus(d.status), d.reasons.join('; ')]),
      [1, 2],
    ));
    if (v.deadTables.length > 0) {
      out.push('Tables over the dead-tuple thresholds:');
      out.push(renderTable(['table', 'dead', 'dead %', 'vacuumed', 'status'], v.deadTables.map((t) => [
        t.name, n0(t.deadTuples), pct(t.deadRatio), t.sinceVacuumSeconds === null ? 'never' : `${formatAge(t.sinceVacuumSeconds)} ago`, colourStatus(t.status),
      ]), [1, 2]));
    }
    if (a.statementCount !== null) {
      out.push('', 'Reads on the primary that could go to replicas:');
      out.push(a.reads.length === 0 ? '  none' : renderTable(
        ['queryid', 'user', 'tables', 'calls', 'total', 'mean', 'statement'],
        a.reads.map((r) => [r.queryid, r.user, r.tables.join(', '), n0(r.calls), ms(r.totalMs), ms(r.meanMs), short(r.text)]),
        [3, 4, 5],
      ));
      out.push('', 'Offload candidates (tables every statement reaches by one key, never joined):');
      out.push(a.candidates.length === 0 ? '  none' : renderTable(
        ['table', 'share', 'writes/s', 'key', 'evidence'],
        a.candidates.map((c) => [c.table, pct(c.share), rate(c.writesPerSecond), c.key, `${c.evidence.length} statement${c.evidence.length === 1 ? '' : 's'}: ${c.evidence.slice(0, 3).map((e) => e.queryid).join(', ')}${c.evidence.length > 3 ? ', …' : ''}`]),
        [1, 2],
      ));
      if (a.notCandidates.length > 0) {
        out.push('Busy tables that are not candidates:');
        out.push(renderTable(
          ['table', 'share', 'writes/s', 'why not', 'statement'],
          a.notCandidates.map((c) => [c.table, pct(c.share), rate(c.writesPerSecond), c.reason, c.evidence.map((e) => `${e.queryid}: ${short(e.text)}`).join(' / ') || DASH]),
          [1, 2],
        ));
      }
      if (a.unparsed > 0) out.push(`  (${a.unparsed} statement${a.unparsed === 1 ? '' : 's'} could not be parsed and were left out)`);
    }
  }
  out.push('', 'Workload isolation:');
  for (const n of v.nodes) {
    if (!n.reachable) {
      out.push(`  ${n.name}: ${colourStatus(n.status, n.error ?? 'unreachable')}`);
      continue;
    }
    out.push(`  ${n.name} (${n.role ?? DASH}): applications ${holders(n.applications)}; users ${holders(n.users)}`);
    if (n.tiers.length > 1) out.push(`    tiers ${n.tiers.map((t) => `${t.tier} (${t.applications.join(', ')})`).join(' and ')} share ${n.name}`);
  }
  for (const d of a.degradations) out.push(`missing: ${d.missing} — ${d.fix}`);
  const shown = new Set(a.degradations.map((d) => `${d.missing} (${d.fix})`));
  const reasons = [...v.primary.reasons.filter((r) => !shown.has(r)), ...v.horizon.reasons];
  if (reasons.length > 0) out.push(...reasons.map((r) => `note: ${r}`));
  out.push(summaryLine('workload', report.status, report.generatedAt, countStatuses(checks(v))));
  return out.join('\n') + '\n';
}

function horizonLine(report: WorkloadReport): string {
  const h = report.analysis.horizon;
  if (h.holders.length === 0) return 'nothing holds the xmin horizon back';
  const age = h.seconds === null ? '' : ` / ${h.estimated ? '~' : ''}${formatAge(h.seconds)}`;
  return `xmin horizon ${n0(h.xidAge)} xids${age} old, ${h.holders.length} holder${h.holders.length === 1 ? '' : 's'} — ${colourStatus(report.verdicts.horizon.status)}`;
}

const holders = (list: NamedCount[]) => list.map((h) => `${h.name} ${h.connections} (${h.active.toFixed(1)} active)`).join(', ') || DASH;

/** What the summary line counts; the primary's node row is left out, its own verdict counts it once. */
function checks(v: WorkloadVerdicts) {
  return [v.primary, v.horizon, ...v.databases, ...v.deadTables, ...v.nodes.slice(1)];
}

export function workloadJson(report: WorkloadReport): string {
  const a = report.analysis;
  const v = report.verdicts;
  return jsonDocument('workload', report, {
    thresholds: report.thresholds,
    verdicts: { primary: v.primary, horizon: v.horizon },
    primary: a.primary,
    intervalSeconds: a.intervalSeconds,
    serverWalBytesPerSecond: a.serverWalBytesPerSecond,
    writesPerSecond: a.writesPerSecond,
    tables: a.tables,
    statements: a.statements,
    horizon: a.horizon,
    slots: a.slots,
    reads: a.reads,
    candidates: a.candidates,
    notCandidates: a.notCandidates,
    statementCount: a.statementCount,
    unparsed: a.unparsed,
    degradations: a.degradations,
    databases: v.databases,
    deadTables: v.deadTables,
    nodes: v.nodes,
  });
}

export function workloadPrometheus(report: WorkloadReport): string {
  const a = report.analysis;
  const v = report.verdicts;
  const tables = (value: (t: WorkloadAnalysis['tables'][number]) => number | null) => a.tables.map((t) => ({ labels: { table: t.name }, value: value(t) }));
  const reachableNodes = v.nodes.filter((n) => n.reachable);
  const perApp = (value: (c: NamedCount) => number) => reachableNodes.flatMap((n) => n.applications.map((c) => ({ labels: { node: n.name, application: c.name }, value: value(c) })));
  return new Exposition()
    .gauge('dbops_workload_primary_up', 'Whether dbops could query the primary (1) or not (0).', [{ labels: {}, value: a.primary.reachable }])
    .gauge('dbops_workload_rows_written_per_second', 'Rows inserted, updated and deleted per second, all tables.', [{ labels: {}, value: a.primary.reachable ? a.writesPerSecond : null }])
    .gauge('dbops_workload_wal_bytes_per_second', 'WAL written per second by the server (pg_stat_wal).', [{ labels: {}, value: a.serverWalBytesPerSecond }])
    .gauge('dbops_workload_table_inserts_per_second', 'Rows inserted per second (busiest tables).', tables((t) => t.insertsPerSecond))
    .gauge('dbops_workload_table_updates_per_second', 'Rows updated per second (busiest tables).', tables((t) => t.updatesPerSecond))
    .gauge('dbops_workload_table_deletes_per_second', 'Rows deleted per second (busiest tables).', tables((t) => t.deletesPerSecond))
    .gauge('dbops_workload_table_write_share', 'Share of all rows written (0-1).', tables((t) => t.share))
    .gauge('dbops_workload_table_hot_update_ratio', 'HOT updates / updates during the interval.', tables((t) => t.hotUpdateRatio))
    .gauge('dbops_workload_table_dead_tuples', 'Dead tuples (n_dead_tup).', tables((t) => t.deadTuples))
    .gauge('dbops_workload_table_dead_tuple_ratio', 'Dead / (live + dead) tuples.', tables((t) => t.deadRatio))
    .gauge('dbops_workload_table_seconds_since_vacuum', 'Seconds since the last vacuum or autovacuum.', tables((t) => t.sinceVacuumSeconds))
    .gauge('dbops_workload_table_autovacuum_overdue', 'Dead rows or inserts over autovacuum\'s own trigger (1) or not (0).', tables((t) => (t.autovacuum === 'overdue' ? 1 : 0)))
    .gauge('dbops_workload_table_wal_bytes_per_second', 'WAL per second of the statements writing the table.', tables((t) => t.walBytesPerSecond))
    .gauge('dbops_workload_statement_wal_bytes_per_second', 'WAL per second by statement (pg_stat_statements).', a.statements.map((s) => ({ labels: { queryid: s.queryid, user: s.user }, value: s.walBytesPerSecond })))
    .gauge('dbops_workload_xmin_horizon_age_xids', 'Age in transactions of the oldest xmin or xid held.', [{ labels: {}, value: a.primary.reachable ? a.horizon.xidAge : null }])
    .gauge('dbops_workload_xmin_horizon_age_seconds', 'How long the oldest holder has held the horizon (estimated from the XID rate when the server gives no time).', [{ labels: {}, value: a.horizon.seconds }])
    .gauge('dbops_workload_horizon_holder_age_xids', 'Age in transactions of each horizon holder.', a.horizon.holders.map((h) => ({ labels: { kind: h.kind, holder: h.name }, value: h.xidAge })))
    .gauge('dbops_workload_replication_slot_retained_bytes', 'WAL kept for each replication slot.', a.slots.map((s) => ({ labels: { slot: s.name, type: s.type, active: String(s.active) }, value: s.retainedBytes })))
    .gauge('dbops_workload_datfrozenxid_age', 'age(datfrozenxid) per database.', v.databases.map((d) => ({ labels: { database: d.database }, value: d.xidAge })))
    .gauge('dbops_workload_wraparound_headroom_ratio', 'Transaction IDs left before wraparound protection stops the server (0-1).', v.databases.map((d) => ({ labels: { database: d.database }, value: d.headroomPercent / 100 })))
    .gauge('dbops_workload_replica_read_calls', 'Calls of read-only statements that could go to a replica (top by total time).', a.reads.map((r) => ({ labels: { queryid: r.queryid, user: r.user }, value: r.calls })))
    .gauge('dbops_workload_replica_read_total_seconds', 'Total execution time of those statements.', a.reads.map((r) => ({ labels: { queryid: r.queryid, user: r.user }, value: r.totalMs / 1000 })))
    .gauge('dbops_workload_offload_candidate', 'Table every statement reaches by one key (1), with the key.', a.candidates.map((c) => ({ labels: { table: c.table, key: c.key }, value: 1 })))
    .gauge('dbops_workload_application_connections', 'Client backends by application and node.', perApp((c) => c.connections))
    .gauge('dbops_workload_application_active', 'Active backends by application and node, averaged over the samples.', perApp((c) => c.active))
    .gauge('dbops_workload_node_tiers', 'Tiers of applications connected to the node (more than 1: tiers share it).', reachableNodes.map((n) => ({ labels: { node: n.name }, value: n.tiers.length })))
    .gauge('dbops_workload_degraded', 'Something the report could not read (1), with what is missing.', a.degradations.map((d) => ({ labels: { missing: d.missing }, value: 1 })))
    .gauge('dbops_report_status', 'Overall report status: 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN.', [{ labels: { report: 'workload' }, value: STATUS_EXIT_CODE[report.status] }])
    .toString();
}
