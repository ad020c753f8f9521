/**
 * Column types as the parser gives them, and whether changing one type into another rewrites
 * the table. PostgreSQL skips the rewrite only when the old values are binary-coercible to the
 * new type and no value can fail the new constraint (ATColumnChangeRequiresRewrite plus the
 * length-coercion "support" functions of varchar, numeric, varbit and the datetime types).
 */
import type { ColumnType, Rewrite } from './types';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyNode = any;

/** Names a user may write, mapped to the internal names the catalog (and the parser) use. */
const ALIASES: Record<string, string> = {
  int: 'int4',
  integer: 'int4',
  serial: 'int4',
  serial4: 'int4',
  bigint: 'int8',
  bigserial: 'int8',
  serial8: 'int8',
  smallint: 'int2',
  smallserial: 'int2',
  serial2: 'int2',
  decimal: 'numeric',
  'character varying': 'varchar',
  character: 'bpchar',
  char: 'bpchar',
  boolean: 'bool',
  real: 'float4',
  float: 'float8',
  'double precision': 'float8',
  'timestamp with time zone': 'timestamptz',
  'timestamp without time zone': 'timestamp',
  'time with time zone': 'timetz',
  'time without time zone': 'time',
  'bit varying': 'varbit',
};

export const SERIAL_TYPES = new Set(['serial', 'serial4', 'bigserial', 'serial8', 'smallserial', 'serial2']);

/** The parser already folded unquoted names to lower case: a quoted "Status" is another type than status. */
function normaliseTypeName(name: string): string {
  return ALIASES[name.toLowerCase()] ?? name;
}

/** The last element of a TypeName's names, as written (before alias mapping). */
export function rawTypeName(typeName: AnyNode): string {
  const names: AnyNode[] = typeName?.names ?? [];
  return names.length ? String(names[names.length - 1].String?.sval ?? '') : '';
}

function constInt(node: AnyNode): number | undefined {
  const c = node?.A_Const;
  if (!c) return undefined;
  if (c.ival) return c.ival.ival ?? 0;
  return undefined;
}

export function columnTypeFromAst(typeName: AnyNode): ColumnType {
  const name = normaliseTypeName(rawTypeName(typeName));
  const mods = ((typeName?.typmods ?? []) as AnyNode[]).map(constInt).filter((n): n is number => n !== undefined);
  const array = Array.isArray(typeName?.arrayBounds) && typeName.arrayBounds.length > 0;
  return { name, mods, array, display: displayType(name, mods, array) };
}

/** The names people write, for messages and suggested SQL. */
const DISPLAY_NAMES: Record<string, string> = {
  int2: 'smallint',
  int4: 'integer',
  int8: 'bigint',
  bool: 'boolean',
  float4: 'real',
  float8: 'double precision',
  bpchar: 'char',
};

function displayType(name: string, mods: number[], array: boolean): string {
  return `${DISPLAY_NAMES[name] ?? name}${mods.length ? `(${mods.join(',')})` : ''}${array ? '[]' : ''}`;
}

/** Types whose typmod can be relaxed without touching stored values (the "support" functions). */
const RELAXABLE = new Set(['varchar', 'varbit', 'timestamp', 'timestamptz', 'time', 'timetz']);

export interface TypeChangeVerdict {
  rewrite: Rewrite;
  reason: string;
}

/**
 * Whether ALTER COLUMN … TYPE from `from` to `to` rewrites the table on PostgreSQL `pgVersion`.
 * With no known old type the answer is 'unknown': only the old type can prove it safe.
 */
export function typeChangeRewrite(from: ColumnType | undefined, to: ColumnType, pgVersion: number): TypeChangeVerdict {
  if (!from) return { rewrite: 'unknown', reason: `the column's current type is not known, so a rewrite cannot be ruled out` };
  const change = `${from.display} → ${to.display}`;
  if (from.array !== to.array) return { rewrite: 'yes', reason: `${change} converts every value` };
  if (from.name === to.name) return sameTypeChange(from, to, change);
  if (from.array) return { rewrite: 'yes', reason: `${change} converts every array value` };
  // varchar and text share one representation; only a new length limit needs checking.
  if (from.name === 'varchar' && to.name === 'text') return { rewrite: 'no', reason: `${change} is binary-coercible` };
  if (from.name === 'text' && to.name === 'varchar') {
    return to.mods.length === 0
      ? { rewrite: 'no', reason: `${change} is binary-coercible` }
      : { rewrite: 'yes', reason: `${change} checks every value against the new length limit` };
  }
  if (from.name === 'cidr' && to.name === 'inet') return { rewrite: 'no', reason: `${change} is binary-coercible` };
  if (from.name === 'timestamp' && to.name === 'timestamptz' && pgVersion >= 12) {
    return { rewrite: 'unknown', reason: `${change} skips the rewrite only when the session TimeZone is UTC` };
  }
  return { rewrite: 'yes', reason: `${change} converts every stored value` };
}

function sameTypeChange(from: ColumnType, to: ColumnType, change: string): TypeChangeVerdict {
  const same = from.mods.length === to.mods.length && from.mods.every((m, i) => m === to.mods[i]);
  if (same) return { rewrite: 'no', reason: `${change} does not change the type` };
  if (from.array) return { rewrite: 'yes', reason: `${change} re-checks every array element` };
  if (to.mods.length === 0 && (RELAXABLE.has(from.name) || from.name === 'numeric')) {
    return { rewrite: 'no', reason: `${change} only removes a limit` };
  }
  if (RELAXABLE.has(from.name) && from.mods.length === 1 && to.mods.length === 1 && to.mods[0] >= from.mods[0]) {
    return { rewrite: 'no', reason: `${change} only widens the limit` };
  }
  if (from.name === 'numeric' && from.mods.length >= 1 && to.mods.length >= 1) {
    const fromScale = from.mods[1] ?? 0;
    const toScale = to.mods[1] ?? 0;
    if (fromScale === toScale && to.mods[0] >= from.mods[0]) return { rewrite: 'no', reason: `${change} only widens the precision` };
  }
  return { rewrite: 'yes', reason: `${change} converts or re-checks every stored value` };
}
