import { isStrongLock } from '../src/effects/locks';
import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lines, lockWhy } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'lock-table',
    title: 'An explicit LOCK TABLE blocks traffic for the rest of the transaction',
    category: 'lock',
    defaultSeverity: 'warning',
    docs: 'docs/rules/lock-table.md',
  },
  examples: {
    bad: ['BEGIN;\nLOCK TABLE users IN ACCESS EXCLUSIVE MODE;\nCOMMIT'],
    good: ['BEGIN;\nLOCK TABLE users IN SHARE UPDATE EXCLUSIVE MODE;\nCOMMIT'],
  },
  messages: {
    lock: 'LOCK TABLE {table} takes {lock} until the transaction ends',
  },
  actionKinds: ['lock-table'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds)
      .filter((a) => isStrongLock(a.lock))
      .map((a) => ({
        message: format(this.messages.lock, { table: a.relation.name, lock: a.lock }),
        why: lockWhy(a, a.lock, 'It is held until COMMIT, so everything after it in the transaction extends the outage.'),
        fix: lines(
          '-- Let each statement take the lock it needs, keep the transaction short, and set a lock_timeout:',
          "SET lock_timeout = '2s';",
          stmt.text.includes('NOWAIT') ? undefined : `-- or fail fast: ${stmt.text} NOWAIT;`,
        ),
      }));
  },
});
