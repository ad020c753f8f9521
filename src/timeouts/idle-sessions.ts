import type { Client } from 'pg';
import { describeQueryError } from '../db/query-errors';
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

export interface IdleRun {
  listing: IdleListing;
  /** Present with --terminate. */
  terminate?: {
    confirmed: boolean;
    /** Ended by pg_terminate_backend. */
    terminated: number[];
    /** Eligible, but ended or left their transaction before we got to them. */
    leftAlone: number[];
  };
}

export interface IdleRunOptions {
  filter: IdleSessionFilter;
  includeSuperusers: boolean;
  terminate: boolean;
  /** Shown the listing before anything is terminated (the table a person confirms against). */
  onListing?: (listing: IdleListing) => void;
  /** Asked before terminating these sessions; absent: no question (--yes). */
  confirm?: (eligible: IdleSession[]) => Promise<boolean>;
}

/** `dbops sessions idle`: list the sessions idle in a transaction and, with terminate, end the eligible ones. */
export async function runIdleSessions(client: Client, options: IdleRunOptions): Promise<IdleRun> {
  const listing = await listIdleInTransaction(client, options.filter, options.includeSuperusers).catch((err) => {
    throw describeQueryError(err, 'listing sessions', 'connect as a role with pg_read_all_stats (or a superuser)');
  });
  options.onListing?.(listing);
  if (!options.terminate) return { listing };
  const eligible = listing.sessions.filter((x) => !x.skipReason);
  if (eligible.length > 0 && options.confirm && !(await options.confirm(eligible))) {
    return { listing, terminate: { confirmed: false, terminated: [], leftAlone: [] } };
  }
  const terminated = await terminateSessions(client, listing.sessions).catch((err) => {
    throw describeQueryError(err, 'terminating sessions', 'connect as a superuser or a member of pg_signal_backend (superusers\' sessions need a superuser)');
  });
  const leftAlone = eligible.filter((x) => !terminated.includes(x.pid)).map((x) => x.pid);
  return { listing, terminate: { confirmed: true, terminated, leftAlone } };
}
