import { defineRule, format } from '../src/lint/rule';

export default defineRule({
  meta: {
    id: 'requires-newer-postgres',
    title: 'Syntax the target PostgreSQL version does not have',
    category: 'compatibility',
    defaultSeverity: 'error',
    docs: 'docs/rules/requires-newer-postgres.md',
  },
  examples: {
    bad: ['ALTER TABLE users ADD CONSTRAINT users_name_not_null NOT NULL name NOT VALID'],
    good: ['ALTER TABLE users ADD CONSTRAINT users_name_not_null CHECK (name IS NOT NULL) NOT VALID'],
  },
  messages: {
    newer: '{feature} needs PostgreSQL {version}; the target is PostgreSQL {target}',
  },
  check(stmt) {
    const target = stmt.before.pgVersion;
    return (stmt.effects.requires ?? [])
      .filter((r) => r.version > target)
      .map((r) => ({
        message: format(this.messages.newer, { feature: r.feature, version: r.version, target }),
        why: `The migration fails with a syntax error on PostgreSQL ${target}: dbops parses with the PostgreSQL 18 grammar, which accepts it.`,
        fix: `-- Rewrite it without ${r.feature}, or, if the server really runs PostgreSQL ${r.version} or newer, set "pgVersion": ${r.version} (or --pg-version ${r.version}).`,
      }));
  },
});
