import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lockWhy, tableOf } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'dropping-index-non-concurrently',
    title: 'DROP INDEX without CONCURRENTLY blocks all reads and writes of the table',
    category: 'lock',
    defaultSeverity: 'error',
    docs: 'docs/rules/dropping-index-non-concurrently.md',
  },
  examples: {
    bad: ['DROP INDEX users_email'],
    good: ['DROP INDEX CONCURRENTLY users_email'],
  },
  messages: {
    drop: 'Dropping index {index} without CONCURRENTLY takes AccessExclusiveLock on its table',
  },
  actionKinds: ['drop-index'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds)
      .filter((a) => !a.concurrent)
      .map((a) => ({
        message: format(this.messages.drop, { index: a.newName }),
        why: lockWhy(
          tableOf(a),
          'AccessExclusiveLock',
          'The drop itself is quick, but it must wait for every running query on the table, and everything queues behind it.',
        ),
        fix: `DROP INDEX CONCURRENTLY ${stmt.text.replace(/^\s*DROP\s+INDEX\s+/i, '')};  -- outside a transaction block`,
      }));
  },
});
