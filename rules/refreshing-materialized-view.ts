import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lines, lockWhy } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'refreshing-materialized-view',
    title: 'REFRESH MATERIALIZED VIEW without CONCURRENTLY blocks every reader of the view',
    category: 'lock',
    defaultSeverity: 'error',
    docs: 'docs/rules/refreshing-materialized-view.md',
  },
  examples: {
    bad: ['REFRESH MATERIALIZED VIEW stats'],
    good: ['REFRESH MATERIALIZED VIEW CONCURRENTLY stats'],
  },
  messages: {
    refresh: 'REFRESH MATERIALIZED VIEW {view} without CONCURRENTLY blocks every read of it until the query finishes',
  },
  actionKinds: ['refresh-materialized-view'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds)
      .filter((a) => !a.concurrent)
      .map((a) => ({
        message: format(this.messages.refresh, { view: a.relation.name }),
        why: lockWhy(a, a.lock, "The view's query runs again from scratch while the lock is held."),
        fix: lines(
          '-- Needs a UNIQUE index on the view (once):',
          `-- CREATE UNIQUE INDEX CONCURRENTLY ON ${a.relation.name} (<key columns>);`,
          `REFRESH MATERIALIZED VIEW CONCURRENTLY ${a.relation.name};  -- readers keep reading the old contents`,
        ),
      }));
  },
});
