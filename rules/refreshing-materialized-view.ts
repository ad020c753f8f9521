import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lines, lockWhy } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'refreshing-materialized-view',
    title: 'REFRESH MATERIALIZED VIEW recomputes the whole view under a strong lock',
    category: 'rewrite',
    defaultSeverity: 'error',
    docs: 'docs/rules/refreshing-materialized-view.md',
  },
  examples: {
    bad: ['REFRESH MATERIALIZED VIEW stats', 'REFRESH MATERIALIZED VIEW CONCURRENTLY stats'],
    good: ['CREATE MATERIALIZED VIEW org_counts AS SELECT org_id, count(*) FROM users GROUP BY org_id;\nREFRESH MATERIALIZED VIEW org_counts'],
  },
  messages: {
    refresh: 'REFRESH MATERIALIZED VIEW {view} without CONCURRENTLY blocks every read of it until the query finishes',
    concurrent: 'REFRESH MATERIALIZED VIEW CONCURRENTLY {view} runs the whole query again and diffs it with the view under ExclusiveLock',
  },
  actionKinds: ['refresh-materialized-view'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds).map((a) =>
      a.concurrent
        ? {
            message: format(this.messages.concurrent, { view: a.relation.name }),
            // Readers keep reading: a warning, but the scan of every source row is real work for the deploy.
            severity: 'warning' as const,
            category: 'scan' as const,
            why: lockWhy(a, a.lock, 'The query reads every source row again and the result is compared with the whole view while the migration waits; another refresh of the view waits for it.'),
            fix: lines(
              '-- Refresh on a schedule outside the migration (here with pg_cron), so deploys do not wait for it:',
              `SELECT cron.schedule('refresh-${a.relation.name}', '*/10 * * * *', 'REFRESH MATERIALIZED VIEW CONCURRENTLY ${a.relation.name}');`,
            ),
          }
        : {
            message: format(this.messages.refresh, { view: a.relation.name }),
            why: lockWhy(a, a.lock, "The view's query runs again from scratch into new storage while the lock is held."),
            fix: lines(
              '-- Needs a UNIQUE index on the view (once):',
              `-- CREATE UNIQUE INDEX CONCURRENTLY ON ${a.relation.name} (<key columns>);`,
              `REFRESH MATERIALIZED VIEW CONCURRENTLY ${a.relation.name};  -- readers keep reading the old contents`,
            ),
          },
    );
  },
});
