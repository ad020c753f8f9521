import { defineRule, format } from '../src/lint/rule';
import type { Action } from '../src/effects/types';
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
        fix: a.inPartitions
          ? partitionedRecipe(stmt.text, a.indexBuild?.name ?? '<index>', partitionsBuilt(stmt.effects.actions, a), subPartitioned(stmt.effects.actions, a))
          : lines(
              `-- Build it without blocking writes (outside a transaction block; retry after a failed build by dropping the INVALID index):`,
              stmt.text.replace(/^(\s*CREATE\s+(?:UNIQUE\s+)?INDEX)\s+/i, '$1 CONCURRENTLY ') + ';',
            ),
      }));
  },
});

/** The partitions where the parent's CREATE INDEX builds an index (leaves: partitioned ones have no storage). */
function partitionsBuilt(actions: Action[], parent: Action): string[] {
  return actions.filter((x) => x.partOf?.key === parent.relation.key && x.indexBuild).map((x) => x.relation.name);
}

/**
 * PostgreSQL refuses CREATE INDEX CONCURRENTLY on a partitioned table: the index is made on the
 * parent alone (ON ONLY: invalid, nothing built), each partition's is built concurrently and
 * attached, and the parent's becomes valid once every partition has one.
 */
/** Partitions that are partitioned themselves (no build of their own): the recipe repeats one level down there. */
function subPartitioned(actions: Action[], parent: Action): string[] {
  return actions.filter((x) => x.partOf?.key === parent.relation.key && !x.indexBuild).map((x) => x.relation.name);
}

function partitionedRecipe(text: string, index: string, partitions: string[], intermediate: string[]): string {
  const levels = intermediate.length > 0 ? [`-- ${intermediate.join(', ')} ${intermediate.length > 1 ? 'are' : 'is'} partitioned too: give each an index ON ONLY, attach its partitions' to it, then attach it to ${index}.`] : [];
  return lines(
    '-- A partitioned table cannot build an index CONCURRENTLY. Create it on the parent alone (nothing is built):',
    text.replace(/\s+ON\s+(?!ONLY\b)/i, ' ON ONLY ') + ';',
    `-- then, for each partition (${partitions.join(', ') || 'every partition'}), outside a transaction block:`,
    `--   CREATE INDEX CONCURRENTLY <partition>_${index.replace(/^"|"$/g, '')} ON <partition> (<the same columns>);`,
    `--   ALTER INDEX ${index} ATTACH PARTITION <partition>_${index.replace(/^"|"$/g, '')};`,
    ...levels,
  );
}
