import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lines, lockWhy } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'creating-index-non-concurrently',
    title: 'CREATE INDEX without CONCURRENTLY blocks writes for the whole build',
    category: 'index-build',
    defaultSeverity: 'error',
    docs: 'docs/rules/creating-index-non-concurrently.md',
  },
  examples: {
    bad: ['CREATE INDEX users_name ON users (name)'],
    good: ['CREATE INDEX CONCURRENTLY users_name ON users (name)'],
  },
  messages: {
    build: 'Creating index {index} on {table} without CONCURRENTLY blocks writes for the whole build',
  },
  actionKinds: ['create-index'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds)
      .filter((a) => a.indexBuild && !a.indexBuild.concurrent)
      .map((a) => ({
        message: format(this.messages.build, { index: a.indexBuild?.name ?? '(unnamed)', table: a.relation.name }),
        why: lockWhy(a, a.lock, 'The build reads the whole table; every INSERT, UPDATE and DELETE waits until it finishes.'),
        fix: lines(
          `-- Build it without blocking writes (outside a transaction block; retry after a failed build by dropping the INVALID index):`,
          stmt.text.replace(/^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX)\s+/i, '$1 CONCURRENTLY ') + ';',
        ),
      }));
  },
});
