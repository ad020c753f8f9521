/** The monitoring-plugin convention the reports exit with. */
export type Status = 'OK' | 'WARNING' | 'CRITICAL' | 'UNKNOWN';

export const STATUS_EXIT_CODE: Record<Status, number> = { OK: 0, WARNING: 1, CRITICAL: 2, UNKNOWN: 3 };

/**
 * CRITICAL outranks UNKNOWN: when one replica is down and another is minutes behind, the page
 * must say critical. UNKNOWN outranks WARNING: a node we cannot see may be worse than a warning.
 */
const RANK: Record<Status, number> = { OK: 0, WARNING: 1, UNKNOWN: 2, CRITICAL: 3 };

export function worstStatus(statuses: Iterable<Status>): Status {
  let worst: Status = 'OK';
  for (const s of statuses) if (RANK[s] > RANK[worst]) worst = s;
  return worst;
}

/** A node's verdict and the reasons behind it (one short phrase each). */
export interface Verdict {
  status: Status;
  reasons: string[];
}

/** Collects reasons while keeping the worst status seen. */
export class VerdictBuilder {
  private status: Status = 'OK';
  private readonly reasons: string[] = [];

  add(status: Status, reason: string): this {
    this.status = worstStatus([this.status, status]);
    this.reasons.push(reason);
    return this;
  }

  build(): Verdict {
    return { status: this.status, reasons: this.reasons };
  }
}

export function countStatuses(verdicts: Verdict[]): Record<Status, number> {
  const c: Record<Status, number> = { OK: 0, WARNING: 0, CRITICAL: 0, UNKNOWN: 0 };
  for (const v of verdicts) c[v.status]++;
  return c;
}
