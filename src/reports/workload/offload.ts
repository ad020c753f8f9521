/**
 * Tables that could move to a sharded store: every statement that touches the table reads or
 * writes it alone (no join, no subquery on another table) and pins the same column by equality,
 * so each statement goes to one shard by that column. For a busy table that fails, the first
 * statement that ties it is the reason.
 */
import type { NotCandidate, OffloadCandidate, TableWrites } from './model';
import { statementRef, type ReadStatement } from './statements';

export function offloadCandidates(tables: TableWrites[], statements: ReadStatement[], top: number): { candidates: OffloadCandidate[]; notCandidates: NotCandidate[] } {
  const touching = new Map<string, ReadStatement[]>();
  // Most called first, so the reason shown is the statement that matters most.
  const ordered = [...statements].sort((a, b) => b.delta.row.calls - a.delta.row.calls || a.delta.row.queryid.localeCompare(b.delta.row.queryid));
  for (const s of ordered) for (const t of new Set([...s.writes, ...s.reads])) touching.set(t, [...(touching.get(t) ?? []), s]);

  const candidates: OffloadCandidate[] = [];
  const notCandidates: NotCandidate[] = [];
  for (const table of tables) {
    if (table.totalWrites === 0 && table.writesPerSecond === 0) continue;
    const verdict = judge(table.name, touching.get(table.name) ?? []);
    const base = { table: table.name, share: table.share, writesPerSecond: table.writesPerSecond };
    if ('key' in verdict) candidates.push({ ...base, ...verdict });
    else if (notCandidates.length < top) notCandidates.push({ ...base, ...verdict });
  }
  return { candidates: candidates.slice(0, top), notCandidates };
}

type Verdict = Pick<OffloadCandidate, 'key' | 'evidence'> | Pick<NotCandidate, 'reason' | 'evidence'>;

function judge(table: string, statements: ReadStatement[]): Verdict {
  if (statements.length === 0) return { reason: 'no statement in pg_stat_statements touches it', evidence: [] };
  for (const s of statements) {
    const others = [...new Set([...s.writes, ...s.reads])].filter((t) => t !== table);
    if (others.length > 0) return { reason: `${s.shape.kind.toUpperCase()} joins it with ${others.join(', ')}`, evidence: [statementRef(s)] };
    if (s.shape.keyProblem) return { reason: `not one key: ${s.shape.keyProblem}`, evidence: [statementRef(s)] };
  }
  const lookups = statements.filter((s) => !s.shape.keyColumns.includes('*') && s.shape.kind !== 'insert');
  if (lookups.length === 0) return { reason: 'only INSERTs: no lookup shows which column to shard by', evidence: statements.slice(0, 1).map((s) => statementRef(s)) };
  let shared = lookups[0].shape.keyColumns;
  for (const s of statements) {
    if (s.shape.keyColumns.includes('*')) continue;
    const next = shared.filter((c) => s.shape.keyColumns.includes(c));
    if (next.length === 0) {
      const first = statements.find((x) => x.shape.keyColumns.some((c) => shared.includes(c)))!;
      return {
        reason: `statements pin different columns: ${shared.join(', ')} in one, ${s.shape.keyColumns.join(', ')} in another`,
        evidence: [statementRef(first), statementRef(s)],
      };
    }
    shared = next;
  }
  return { key: shared[0], evidence: statements.map((s) => ({ ...statementRef(s), keyColumns: s.shape.keyColumns })) };
}
