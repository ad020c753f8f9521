import { defineRule, format } from '../src/lint/rule';
import { actionsOn, lines, lockWhy } from '../src/lint/rule-helpers';

export default defineRule({
  meta: {
    id: 'setting-tablespace',
    title: 'SET TABLESPACE copies the table under an ACCESS EXCLUSIVE lock',
    category: 'rewrite',
    defaultSeverity: 'error',
    docs: 'docs/rules/setting-tablespace.md',
  },
  examples: {
    bad: ['ALTER TABLE users SET TABLESPACE fast'],
    good: ['CREATE TABLE archive (id int);\nALTER TABLE archive SET TABLESPACE fast'],
  },
  messages: {
    move: 'SET TABLESPACE copies {table} file by file while blocking all reads and writes',
  },
  actionKinds: ['set-tablespace'],
  check(stmt) {
    return actionsOn(stmt, this.actionKinds)
      .filter((a) => a.rewrite !== 'no')
      .map((a) => ({
      message: format(this.messages.move, { table: a.relation.name }),
      severity: a.rewrite === 'unknown' ? ('warning' as const) : undefined,
      why: lockWhy(a, a.lock, `Every data file is copied to the new tablespace while the lock is held.${a.cannotProve ? ` dbops cannot prove it is already there: it does not know ${a.cannotProve}.` : ''}`),
      fix: lines(
        '-- Move the data online with pg_repack (it copies, then swaps under a brief lock):',
        `-- pg_repack --table ${a.relation.name} --tablespace <tablespace> <database>`,
      ),
    }));
  },
});
