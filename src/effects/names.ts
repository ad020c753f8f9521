/** Relation names from the AST, normalised so `public.Users`, `users` and `"users"` match. */
import type { RelationKind, RelationRef } from './types';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyNode = any;

/** The parser has already folded unquoted identifiers to lower case, so names compare as given. */
function keyOf(schema: string | undefined, name: string): string {
  return !schema || schema === 'public' ? name : `${schema}.${name}`;
}

export function relationFromRangeVar(rv: AnyNode, kind: RelationKind = 'table'): RelationRef {
  const schema: string | undefined = rv?.schemaname || undefined;
  const name: string = rv?.relname ?? '?';
  return { name: schema ? `${schema}.${name}` : name, key: keyOf(schema, name), kind };
}

/** DROP TABLE/INDEX objects are lists of String nodes: [schema, name] or [name]. */
export function relationFromNameList(list: AnyNode, kind: RelationKind): RelationRef {
  const items: AnyNode[] = list?.List?.items ?? [];
  const parts = items.map((i) => String(i.String?.sval ?? ''));
  const name = parts[parts.length - 1] ?? '?';
  const schema = parts.length > 1 ? parts[parts.length - 2] : undefined;
  return { name: parts.join('.'), key: keyOf(schema, name), kind };
}

export function quoteIdentIfNeeded(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** A relation name safe to paste into suggested SQL. */
export function sqlName(rel: RelationRef): string {
  return rel.name.split('.').map(quoteIdentIfNeeded).join('.');
}
