import { defineRule, format, type RuleReport } from '../src/lint/rule';
import { actionsOn, ident, lines, lockWhy, tableSql } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'changing-column-type',
    title: "Changing a column's type rewrites the table (unless the change is binary-coercible)",
    category: 'rewrite',
    defaultSeverity: 'error',
    docs: 'docs/rules/changing-column-type.md',
  },
  examples: {
    bad: ['ALTER TABLE users ALTER COLUMN id TYPE bigint', 'ALTER TABLE users ALTER COLUMN email TYPE varchar(100)'],
    good: ['ALTER TABLE users ALTER COLUMN name TYPE varchar(100)', 'ALTER TABLE users ALTER COLUMN name TYPE text'],
  },
  messages: {
    rewrite: 'Changing {table}.{column} to {type} rewrites the whole table ({reason})',
    unknown: 'Changing {table}.{column} to {type} may rewrite the whole table: {reason}',
    indexBuild: 'Changing {table}.{column} to {type} rewrites no rows but builds its index again ({why})',
  },
  actionKinds: ['alter-column-type'],
  check(stmt) {
    const actions = actionsOn(stmt, this.actionKinds);
    const indexBuilds: RuleReport[] = actions
      .filter((a) => a.rewrite === 'no' && a.indexBuild)
      .map((a) => ({
        category: 'index-build' as const,
        message: format(this.messages.indexBuild, {
          table: a.relation.name,
          column: a.column,
          type: a.newType?.display,
          why: a.indexBuild?.reason ?? 'an index on the column cannot be kept',
        }),
        why: lockWhy(a, a.lock, 'The index is built from every row of the table while the lock is held: reads and writes wait for the whole build.'),
        fix: lines(
          `-- Take the index out of the way without blocking, change the type (no row is rewritten), build it again without blocking:`,
          `DROP INDEX CONCURRENTLY <index on ${a.column}>;`,
          `ALTER TABLE ${tableSql(a)} ALTER COLUMN ${ident(a.column)} TYPE ${a.newType?.display ?? 'new_type'};`,
          `CREATE INDEX CONCURRENTLY <index on ${a.column}> ON ${tableSql(a)} (…);`,
        ),
      }));
    const rewrites: RuleReport[] = actions
      .filter((a) => a.rewrite !== 'no')
      .map((a) => {
        const data = { table: a.relation.name, column: a.column, type: a.newType?.display, reason: a.rewriteReason };
        const col = ident(a.column);
        const type = a.newType?.display ?? 'new_type';
        return {
          message: format(this.messages[a.rewrite === 'yes' ? 'rewrite' : 'unknown'], data),
          severity: a.rewrite === 'unknown' ? 'warning' : undefined,
          why: lockWhy(
            a,
            a.lock,
            `The table and every index on it are rewritten while the lock is held: on a large table that is minutes of downtime.${
              a.rewrite === 'unknown' ? ' dbops cannot prove this change is binary-coercible; declare the column earlier in the run (or lint all migrations together) so the old type is known.' : ''
            }`,
          ),
          fix: lines(
            `-- Add a new column, backfill it in batches, then switch over:`,
            `ALTER TABLE ${tableSql(a)} ADD COLUMN ${ident(`${a.column}_new`)} ${type};`,
            `-- keep it in sync for new writes (trigger), then backfill in batches:`,
            `--   dbops backfill run --table ${a.relation.name} --set "${a.column}_new = ${col}" …`,
            `-- finally, in a short transaction with a lock_timeout:`,
            `ALTER TABLE ${tableSql(a)} RENAME COLUMN ${col} TO ${ident(`${a.column}_old`)};`,
            `ALTER TABLE ${tableSql(a)} RENAME COLUMN ${ident(`${a.column}_new`)} TO ${col};`,
          ),
        };
      });
    return [...indexBuilds, ...rewrites];
  },
});
