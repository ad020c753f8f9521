/**
 * Syntax the parser (PostgreSQL 18's grammar) accepts but older servers reject. The parser
 * accepting a statement says nothing about the target server; this says which release it needs.
 */
import { walkTree } from '../sql/tree';
import type { VersionRequirement } from './types';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyNode = any;

const SUBCOMMANDS: Record<string, VersionRequirement> = {
  AT_SetCompression: { version: 14, feature: 'ALTER COLUMN … SET COMPRESSION' },
  AT_DetachPartitionFinalize: { version: 14, feature: 'DETACH PARTITION … FINALIZE' },
  AT_SetAccessMethod: { version: 15, feature: 'ALTER TABLE … SET ACCESS METHOD' },
  AT_SetExpression: { version: 17, feature: 'ALTER COLUMN … SET EXPRESSION' },
};

function requirementOf(key: string, value: AnyNode): VersionRequirement | undefined {
  switch (key) {
    case 'MergeStmt':
      return { version: 15, feature: 'MERGE' };
    case 'JsonTable':
      return { version: 17, feature: 'JSON_TABLE' };
    case 'AlterTableCmd':
      if (value.subtype === 'AT_DetachPartition' && value.def?.PartitionCmd?.concurrent) return { version: 14, feature: 'DETACH PARTITION … CONCURRENTLY' };
      return SUBCOMMANDS[value.subtype];
    case 'ReindexStmt':
      return (value.params ?? []).some((p: AnyNode) => p.DefElem?.defname === 'concurrently') ? { version: 12, feature: 'REINDEX CONCURRENTLY' } : undefined;
    case 'IndexStmt':
      if (value.nulls_not_distinct) return { version: 15, feature: 'NULLS NOT DISTINCT' };
      return undefined;
    case 'Constraint':
      if (value.nulls_not_distinct) return { version: 15, feature: 'NULLS NOT DISTINCT' };
      if (value.contype === 'CONSTR_GENERATED') {
        return value.generated_kind === 'v' ? { version: 18, feature: 'virtual generated columns' } : { version: 12, feature: 'generated columns' };
      }
      if (value.contype === 'CONSTR_NOTNULL' && value.skip_validation) return { version: 18, feature: 'NOT NULL … NOT VALID' };
      return undefined;
    default:
      return undefined;
  }
}

/** Statements that can hold the syntax above; the rest are not walked (this runs for every statement). */
const CAN_NEED_NEWER = new Set([
  'AlterTableStmt',
  'IndexStmt',
  'ReindexStmt',
  'CreateStmt',
  'MergeStmt',
  'SelectStmt',
  'InsertStmt',
  'UpdateStmt',
  'DeleteStmt',
  'ViewStmt',
  'CreateTableAsStmt',
]);

/** The newest-first list of releases this statement needs (empty when any supported release runs it). */
export function versionRequirements(node: AnyNode): VersionRequirement[] {
  const [type] = Object.keys(node ?? {});
  if (!CAN_NEED_NEWER.has(type)) return [];
  const found = new Map<string, VersionRequirement>();
  collect(node, found);
  return [...found.values()].sort((a, b) => b.version - a.version);
}

function collect(root: AnyNode, found: Map<string, VersionRequirement>): void {
  walkTree(root, (key, value) => {
    const req = key === '' ? undefined : requirementOf(key, value);
    if (req) found.set(req.feature, req);
  });
}
