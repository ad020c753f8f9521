import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lines, lockWhy, tableOf } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'reindexing-non-concurrently',
    title: 'REINDEX without CONCURRENTLY blocks writes (and reads that use the index) for the whole rebuild',
    category: 'index-build',
    defaultSeverity: 'error',
    docs: 'docs/rules/reindexing-non-concurrently.md',
  },
  examples: {
    bad: ['REINDEX INDEX users_email'],
    good: ['REINDEX INDEX CONCURRENTLY users_email'],
  },
  messages: {
    reindex: 'REINDEX of {target} without CONCURRENTLY blocks writes to {table} for the whole rebuild',
  },
  actionKinds: ['reindex'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds)
      .filter((a) => !a.concurrent)
      .map((a) => {
        const target = stmt.text.replace(/^\s*REINDEX\s+(\([^)]*\)\s*)?/i, '');
        return {
          message: format(this.messages.reindex, { target, table: tableOf(a).relation.name }),
          why: lockWhy(
            tableOf(a),
            // With the table unknown the action is on the index (AccessExclusiveLock); the table gets ShareLock.
            a.relation.kind === 'index' ? 'ShareLock' : a.lock,
            'The rebuilt index is locked ACCESS EXCLUSIVE, so queries that would use it wait as well, for as long as the rebuild reads the table.',
          ),
          fix:
            stmt.before.pgVersion >= 12
              ? `REINDEX ${target.replace(/^(INDEX|TABLE)\s+/i, '$1 CONCURRENTLY ')};  -- PostgreSQL 12+, outside a transaction block`
              : lines(
                  '-- Before PostgreSQL 12: build a replacement concurrently and swap it in:',
                  'CREATE INDEX CONCURRENTLY <name>_new ON <table> (<same definition>);',
                  'DROP INDEX CONCURRENTLY <name>;',
                  'ALTER INDEX <name>_new RENAME TO <name>;',
                ),
        };
      });
  },
});
