import type { FlagSpec } from './fast-path';
import { HUMAN_FORMAT, HUMAN_FORMAT_ALIASES, REPORT_FORMATS } from '../output/formats';

/**
 * The flags of `dbops report …`, as plain data: the oclif commands build their flags from these,
 * and the start-up fast path (fast-report.ts) parses plain invocations of `report lag` and
 * `report connections` with them without loading oclif.
 */
export const REPORT_FLAGS = {
  primary: {
    type: 'option',
    description: 'primary URL (with no replicas given, its connected direct standbys are discovered; a disconnected one is invisible, so pass --replica for each standby)',
    helpGroup: 'TOPOLOGY',
  },
  replica: { type: 'option', description: 'replica as NAME=URL; repeat for each standby and cascade', multiple: true, helpGroup: 'TOPOLOGY' },
  // The old names of the human format are accepted too; commonOptions() reads them as text.
  format: { type: 'option', description: 'output format', options: [...REPORT_FORMATS, ...HUMAN_FORMAT_ALIASES], helpValue: REPORT_FORMATS.join('|'), default: HUMAN_FORMAT },
  watch: { type: 'option', description: 'redraw every INTERVAL (e.g. 2s) until interrupted' },
  'connect-timeout': { type: 'option', description: 'per-node connect timeout', default: '5s' },
  'statement-timeout': { type: 'option', description: 'per-node statement timeout', default: '5s' },
  concurrency: { type: 'integer', description: 'nodes queried at once (a dead or hanging node holds one slot for its own timeout)', default: 16, min: 1 },
  problems: { type: 'boolean', description: 'show only the nodes that are not OK (the summary still counts every node)', default: false },
} as const satisfies Record<string, FlagSpec>;

export const LAG_FLAGS = {
  warn: { type: 'option', description: 'replay lag at which a standby is WARNING (with a unit: 500ms, 5s, 2min)', default: '30s', helpGroup: 'THRESHOLDS' },
  critical: { type: 'option', description: 'replay lag at which a standby is CRITICAL (with a unit: 30s, 5min)', default: '5min', helpGroup: 'THRESHOLDS' },
  'warn-bytes': { type: 'option', description: 'WAL bytes behind at which a standby is WARNING (e.g. 16MB)', helpGroup: 'THRESHOLDS' },
  'critical-bytes': { type: 'option', description: 'WAL bytes behind at which a standby is CRITICAL (e.g. 1GB)', helpGroup: 'THRESHOLDS' },
} as const satisfies Record<string, FlagSpec>;

export const CONNECTIONS_FLAGS = {
  pgbouncer: { type: 'option', description: 'PgBouncer admin console URL (database "pgbouncer"), optionally NAME=URL; repeatable', multiple: true, helpGroup: 'TOPOLOGY' },
  warn: { type: 'option', description: 'usage at which a node is WARNING: a percentage of the limit (80%) or a number of connections', default: '80%', helpGroup: 'THRESHOLDS' },
  critical: { type: 'option', description: 'usage at which a node is CRITICAL: a percentage of the limit (95%) or a number of connections', default: '95%', helpGroup: 'THRESHOLDS' },
  limit: { type: 'integer', description: 'connection cap of the service (the effective limit is min(max_connections - reserved, limit))', default: 5000, min: 1 },
  top: { type: 'integer', description: 'how many top applications, users and client addresses to show', default: 10, min: 1 },
} as const satisfies Record<string, FlagSpec>;
