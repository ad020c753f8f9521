import { formatDuration } from '../src/util/duration';
import { strongLocksOnExisting } from '../src/effects/analyze';
import { lockImpact } from '../src/effects/locks';
import { timeoutMs } from '../src/effects/settings';
import { defineRule, format } from '../src/lint/rule';
import { lines } from '../src/lint/rule-helpers';

/** A rule option given as milliseconds (3000) or as a duration ("3s"). */
function optionMs(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return timeoutMs(value) ?? undefined;
  return undefined;
}

export default defineRule({
  meta: {
    id: 'lock-timeout',
    title: 'A strong lock on an existing table needs a short lock_timeout first',
    category: 'lock',
    defaultSeverity: 'error',
    docs: 'docs/rules/lock-timeout.md',
  },
  examples: {
    bad: ['ALTER TABLE users ADD COLUMN note text'],
    good: ["SET lock_timeout = '2s';\nALTER TABLE users ADD COLUMN note text"],
  },
  messages: {
    missing: 'No lock_timeout is set before this statement takes {lock} on {table}',
    tooLong: 'lock_timeout {value} is longer than the policy maximum {max} before this statement takes {lock} on {table}',
    onlyStatementTimeout: 'Only statement_timeout ({value}) bounds the wait before this statement takes {lock} on {table}; set lock_timeout',
  },
  check(stmt, ctx) {
    const locks = strongLocksOnExisting(stmt.effects);
    if (locks.length === 0) return [];
    const max = optionMs(ctx.options.max) ?? optionMs(ctx.options.maxMs) ?? ctx.lint.maxLockTimeoutMs;
    const current = stmt.before.lockTimeoutMs;
    const missing = current === null || current === 0;
    if (!missing && current <= max) return [];
    const first = locks[0];
    // statement_timeout also ends a lock wait, but it cancels the statement's real work too.
    const statementTimeout = stmt.before.statementTimeoutMs;
    if (missing && statementTimeout !== null && statementTimeout > 0 && statementTimeout <= max) {
      return [
        {
          message: format(this.messages.onlyStatementTimeout, { lock: first.lock, table: locks.map((l) => l.relation.name).join(', '), value: formatDuration(statementTimeout) }),
          severity: 'warning',
          why: `statement_timeout ${formatDuration(statementTimeout)} bounds the queue behind this statement, but it also cancels the statement once the lock is granted and the work itself takes longer; lock_timeout bounds only the wait.`,
          fix: lines(`SET lock_timeout = '${formatDuration(Math.min(max, 2000))}';`),
        },
      ];
    }
    const data = { lock: first.lock, table: locks.map((l) => l.relation.name).join(', '), value: missing ? '' : formatDuration(current), max: formatDuration(max) };
    return [
      {
        message: format(this.messages[missing ? 'missing' : 'tooLong'], data),
        why: `${first.lock} ${lockImpact(first.lock)}. If a long transaction holds any lock on the table, this statement waits — and every query behind it queues too, so a quick change becomes an outage. A lock_timeout makes it give up (and retry later) instead.`,
        fix: lines(`SET lock_timeout = '${formatDuration(Math.min(max, 2000))}';`, '-- then the statement; retry it if it times out', `-- (dbops migrate sets lock_timeout itself: turn this rule off there with "lock-timeout": "off")`),
      },
    ];
  },
});
