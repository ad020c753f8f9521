import { defineRule, format } from '../src/lint/rule';
import { lines } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'concurrently-in-transaction',
    title: 'CONCURRENTLY (and other statements that refuse transactions) inside a transaction block fails',
    category: 'compatibility',
    defaultSeverity: 'error',
    docs: 'docs/rules/concurrently-in-transaction.md',
  },
  examples: {
    bad: ['BEGIN;\nCREATE INDEX CONCURRENTLY users_name ON users (name);\nCOMMIT'],
    good: ['CREATE INDEX CONCURRENTLY users_name ON users (name)'],
  },
  messages: {
    inTransaction: '{reason}: this one runs inside {where}',
  },
  check(stmt, ctx) {
    if (stmt.effects.transactional || !stmt.before.inTransaction) return [];
    const where = stmt.inDoBlock ? 'a DO block (one transaction)' : ctx.lint.fileTransaction && !stmt.effects.transaction ? 'the transaction the runner wraps this file in' : 'a transaction block';
    return [
      {
        message: format(this.messages.inTransaction, { reason: stmt.effects.nonTransactionalReason, where }),
        why: 'PostgreSQL rejects it (ERROR 25001) and the migration fails; statements before it in the same transaction are rolled back.',
        fix: lines(
          '-- Run it on its own, outside BEGIN … COMMIT and outside DO blocks.',
          '-- Most runners have a per-migration switch for this (e.g. "-- dbops:no-transaction", Rails disable_ddl_transaction!, Django atomic = False).',
          stmt.text + ';',
        ),
      },
    ];
  },
});
