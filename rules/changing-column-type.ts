import type { Action } from '../src/effects/types';
import { defineRule, format, type RuleReport } from '../src/lint/rule';
import { actionsOn, ident, lines, lockWhy, tableSql } from '../src/lint/rule-helpers';

const messages = {
  rewrite: 'Changing {table}.{column} to {type} rewrites the whole table ({reason})',
  unknown: 'Changing {table}.{column} to {type} may rewrite the whole table: {reason}',
  indexRebuild: 'Changing {table}.{column} to {type} does not rewrite the table, but builds every index on {column} again while reads and writes wait',
};

/** The expand/contract recipe: a new column, backfilled in batches, swapped in by renames. */
function newColumnRecipe(a: Action): string {
  const col = ident(a.column);
  const type = a.newType?.display ?? 'new_type';
  return lines(
    `-- Add a new column, backfill it in batches, then switch over:`,
    `ALTER TABLE ${tableSql(a)} ADD COLUMN ${ident(`${a.column}_new`)} ${type};`,
    `-- keep it in sync for new writes (trigger), then backfill in batches:`,
    `--   dbops backfill run --table ${a.relation.name} --set "${a.column}_new = ${col}" …`,
    `-- finally, in a short transaction with a lock_timeout:`,
    `ALTER TABLE ${tableSql(a)} RENAME COLUMN ${col} TO ${ident(`${a.column}_old`)};`,
    `ALTER TABLE ${tableSql(a)} RENAME COLUMN ${ident(`${a.column}_new`)} TO ${col};`,
  );
}

function rewriteFinding(a: Action): RuleReport {
  const data = { table: a.relation.name, column: a.column, type: a.newType?.display, reason: a.rewriteReason };
  return {
    message: format(messages[a.rewrite === 'yes' ? 'rewrite' : 'unknown'], data),
    severity: a.rewrite === 'unknown' ? 'warning' : undefined,
    why: lockWhy(
      a,
      a.lock,
      `The table and every index on it are rewritten while the lock is held: on a large table that is minutes of downtime.${
        a.rewrite === 'unknown' ? ' dbops cannot prove this change is binary-coercible; declare the column earlier in the run (or lint all migrations together) so the old type is known.' : ''
      }`,
    ),
    fix: newColumnRecipe(a),
  };
}

// A binary-coercible change keeps the rows, but PostgreSQL still builds the indexes on the column
// anew under the ACCESS EXCLUSIVE lock (observed on 15): an index build that blocks everyone.
function indexRebuildFinding(a: Action): RuleReport {
  return {
    message: format(messages.indexRebuild, { table: a.relation.name, column: a.column, type: a.newType?.display }),
    category: 'index-build',
    why: lockWhy(a, a.lock, 'The rows stay as they are, but each index on the column is built again while the lock is held: on a large table that is as long as CREATE INDEX, with every query waiting.'),
    fix: lines(
      `-- On a small table this is quick: set a lock_timeout and accept it. On a large one, use a new column:`,
      newColumnRecipe(a),
      `-- and build its indexes with CREATE INDEX CONCURRENTLY before the switch.`,
    ),
  };
}

export default defineRule({
  meta: {
    id: 'changing-column-type',
    title: "Changing a column's type rewrites the table (unless the change is binary-coercible)",
    category: 'rewrite',
    defaultSeverity: 'error',
    docs: 'docs/rules/changing-column-type.md',
  },
  examples: {
    bad: ['ALTER TABLE users ALTER COLUMN id TYPE bigint', 'ALTER TABLE users ALTER COLUMN email TYPE varchar(100)', 'ALTER TABLE users ALTER COLUMN email TYPE varchar'],
    good: ['ALTER TABLE users ALTER COLUMN name TYPE varchar(100)', 'ALTER TABLE users ALTER COLUMN name TYPE text'],
  },
  messages,
  actionKinds: ['alter-column-type'],
  check(stmt) {
    const changes = actionsOn(stmt, this.actionKinds);
    return [...changes.filter((a) => a.rewrite !== 'no').map(rewriteFinding), ...changes.filter((a) => a.rewrite === 'no' && a.indexBuild).map(indexRebuildFinding)];
  },
});
