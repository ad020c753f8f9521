import { strongLocksOnExisting } from '../src/effects/analyze';
import { defineRule, format } from '../src/lint/rule';
import { lines } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'multiple-strong-locks',
    title: 'Several tables strongly locked in one transaction',
    category: 'lock',
    defaultSeverity: 'warning',
    docs: 'docs/rules/multiple-strong-locks.md',
  },
  examples: {
    bad: ["BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE users ADD COLUMN note text;\nALTER TABLE orgs ADD COLUMN note text;\nCOMMIT"],
    good: ["BEGIN;\nSET LOCAL lock_timeout = '2s';\nALTER TABLE users ADD COLUMN note text;\nALTER TABLE users ADD COLUMN note2 text;\nCOMMIT"],
  },
  messages: {
    several: 'This transaction takes {lock} on {table} while already holding strong locks on {held}',
  },
  check(stmt, ctx) {
    if (!stmt.before.inTransaction) return [];
    const max = typeof ctx.options.maxTables === 'number' ? ctx.options.maxTables : 1;
    // Partitions held through their parent count as that table; a lock already held is no new wait.
    const held = stmt.before.heldStrongLocks.filter((h) => h.via === undefined);
    const added = strongLocksOnExisting(stmt.effects).filter((l) => !stmt.before.heldStrongLocks.some((h) => h.relation.key === l.relation.key));
    if (added.length === 0 || held.length + added.length <= max) return [];
    return [
      {
        message: format(this.messages.several, {
          lock: added[0].lock,
          table: added.map((l) => l.relation.name).join(', '),
          held: held.map((h) => `${h.relation.name} (${h.lock})`).join(', '),
        }),
        why: 'Locks are held until COMMIT: while this statement waits for its lock, traffic on the tables already locked is blocked too, and two such transactions can deadlock.',
        fix: lines('-- Split the migration: one table per transaction, each with its own lock_timeout.', 'COMMIT;', 'BEGIN;', "SET LOCAL lock_timeout = '2s';"),
      },
    ];
  },
});
