import { defineRule, format } from '../src/lint/rule';
import { actionsOn, ident, lines, lockWhy, tableSql } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'adding-column-rewrite',
    title: 'ADD COLUMN with a volatile default, serial/identity or stored generated column rewrites the table',
    category: 'rewrite',
    defaultSeverity: 'error',
    docs: 'docs/rules/adding-column-rewrite.md',
  },
  examples: {
    bad: ['ALTER TABLE users ADD COLUMN token uuid DEFAULT gen_random_uuid()', 'ALTER TABLE users ADD COLUMN seq bigserial', 'ALTER TABLE users ADD COLUMN lname text GENERATED ALWAYS AS (lower(name)) STORED'],
    good: ["ALTER TABLE users ADD COLUMN status text DEFAULT 'active' NOT NULL", 'ALTER TABLE users ADD COLUMN token uuid'],
  },
  messages: {
    rewrite: 'Adding {table}.{column} rewrites the whole table: {reason}',
    unknown: 'Adding {table}.{column} may rewrite the whole table: {reason}',
  },
  actionKinds: ['add-column'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds)
      .filter((a) => a.rewrite !== 'no')
      .map((a) => {
        const col = ident(a.column);
        const type = a.generated === 'serial' ? (a.newType?.name === 'int8' ? 'bigint' : 'integer') : (a.newType?.display ?? 'type');
        const fix =
          a.generated === 'stored'
            ? lines(
                `-- Add a plain nullable column, fill it in batches, keep it current with a trigger:`,
                `ALTER TABLE ${tableSql(a)} ADD COLUMN ${col} ${type};`,
                `--   dbops backfill run --table ${a.relation.name} --set "${a.column} = <expression>" …`,
              )
            : a.generated
              ? lines(
                  `-- Add the column without a default, attach the sequence for new rows, backfill old rows in batches:`,
                  `CREATE SEQUENCE ${ident(`${a.relation.name.split('.').pop()}_${a.column}_seq`)};`,
                  `ALTER TABLE ${tableSql(a)} ADD COLUMN ${col} ${type};`,
                  `ALTER TABLE ${tableSql(a)} ALTER COLUMN ${col} SET DEFAULT nextval('${a.relation.name.split('.').pop()}_${a.column}_seq');`,
                  `--   dbops backfill run --table ${a.relation.name} --set "${a.column} = nextval('…')" --where "${a.column} IS NULL" …`,
                )
              : lines(
                  `-- Add the column without the default (or with a constant one), set the default for new rows, backfill old rows in batches:`,
                  `ALTER TABLE ${tableSql(a)} ADD COLUMN ${col} ${type};`,
                  `ALTER TABLE ${tableSql(a)} ALTER COLUMN ${col} SET DEFAULT <expression>;`,
                  `--   dbops backfill run --table ${a.relation.name} --set "${a.column} = <expression>" --where "${a.column} IS NULL" …`,
                );
        return {
          message: format(this.messages[a.rewrite === 'yes' ? 'rewrite' : 'unknown'], { table: a.relation.name, column: a.column, reason: a.rewriteReason }),
          severity: a.rewrite === 'unknown' ? 'warning' : undefined,
          why: lockWhy(a, a.lock, 'Every row and every index is written again while the lock is held.'),
          fix,
        };
      });
  },
});
