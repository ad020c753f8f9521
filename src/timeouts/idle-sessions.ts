import type { Client } from 'pg';
import { countHiddenSessions, readIdleInTransaction, terminateIdleBackends, type IdleSessionRow } from './queries';

export interface IdleSessionFilter {
  olderThanMs: number;
  roles: string[];
  databases: string[];
}

export interface IdleSession extends Omit<IdleSessionRow, 'backend_start'> {
  backendStart: string;
  /** Why --terminate leaves it alone, if it does. */
  skipReason?: string;
}

export interface IdleListing {
  sessions: IdleSession[];
  /** Client sessions whose state this role may not see (it lacks pg_read_all_stats). */
  hidden: number;
}

export async function listIdleInTransaction(client: Client, filter: IdleSessionFilter, includeSuperusers: boolean): Promise<IdleListing> {
  const rows = await readIdleInTransaction(client, filter.olderThanMs);
  const sessions = rows
    .filter((r) => (filter.roles.length === 0 || filter.roles.includes(r.user ?? '')) && (filter.databases.length === 0 || filter.databases.includes(r.database ?? '')))
    .map(({ backend_start, ...rest }): IdleSession => ({
      ...rest,
      backendStart: backend_start,
      skipReason: rest.superuser && !includeSuperusers ? 'superuser (add --include-superusers)' : undefined,
    }));
  return { sessions, hidden: await countHiddenSessions(client) };
}

/** Ends the sessions not marked to skip; returns the pids that were really terminated. */
export async function terminateSessions(client: Client, sessions: readonly IdleSession[]): Promise<number[]> {
  const targets = sessions.filter((s) => !s.skipReason).map((s) => ({ pid: s.pid, backend_start: s.backendStart }));
  if (targets.length === 0) return [];
  return terminateIdleBackends(client, targets);
}
