/**
 * Column types as the parser gives them, and whether changing one type into another rewrites
 * the table. PostgreSQL skips the rewrite only when the old values are binary-coercible to the
 * new type and no value can fail the new constraint (ATColumnChangeRequiresRewrite plus the
 * length-coercion "support" functions of varchar, numeric, varbit and the datetime types).
 */
import type { DomainFacts } from './context';
import { timeZoneKind } from './settings';
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
  /** Set when the answer depends on something dbops cannot know: what it would need. */
  cannotProve?: string;
}

/** What besides the two types decides a type change: the session TimeZone and the user's types. */
export interface TypeEnvironment {
  /** The session TimeZone; null when not known. */
  timeZone: string | null;
  domain(name: string): DomainFacts | undefined;
  /** A type created by CREATE TYPE / CREATE DOMAIN in the schema, the history or this run. */
  isUserType(name: string): boolean;
}

const NO_ENVIRONMENT: TypeEnvironment = { timeZone: null, domain: () => undefined, isUserType: () => false };

/** Built-in types, by internal name: a type outside them and the user's known types is an extension's or unknown. */
const BUILT_IN = new Set([
  ...Object.values(ALIASES),
  ...['text', 'name', 'char', 'cidr', 'date', 'interval', 'uuid', 'json', 'jsonb', 'bytea', 'inet', 'macaddr', 'macaddr8', 'bit', 'money', 'xml'],
  ...['tsvector', 'tsquery', 'oid', 'regclass', 'point', 'line', 'lseg', 'box', 'path', 'polygon', 'circle', 'pg_lsn', 'txid_snapshot'],
  ...['int4range', 'int8range', 'numrange', 'tsrange', 'tstzrange', 'daterange', 'int4multirange', 'int8multirange', 'nummultirange'],
  ...['tsmultirange', 'tstzmultirange', 'datemultirange'],
]);

/**
 * Whether ALTER COLUMN … TYPE from `from` to `to` rewrites the table on PostgreSQL `pgVersion`.
 * With no known old type the answer is 'unknown': only the old type can prove it safe.
 */
export function typeChangeRewrite(from: ColumnType | undefined, to: ColumnType, pgVersion: number, env: TypeEnvironment = NO_ENVIRONMENT): TypeChangeVerdict {
  if (!from) return { rewrite: 'unknown', reason: `the column's current type is not known, so a rewrite cannot be ruled out`, cannotProve: 'the column is not declared earlier in the run nor in lint.schemaFile' };
  const change = `${from.display} → ${to.display}`;
  const toDomain = to.array ? undefined : env.domain(to.name);
  const fromDomain = from.array ? undefined : env.domain(from.name);
  if (toDomain || fromDomain) {
    // A domain stores its base type: the change is the one between the base types…
    const base = typeChangeRewrite(fromDomain?.base ?? from, toDomain?.base ?? to, pgVersion, env);
    if (base.rewrite !== 'no' || !toDomain?.constrained || from.name === to.name) return { ...base, reason: `${change}: ${base.reason}` };
    // …but ATColumnChangeRequiresRewrite treats a coercion to a domain with constraints as a rewrite: every value is checked and written again.
    return { rewrite: 'yes', reason: `${change}: domain ${to.name} has constraints, which PostgreSQL checks by rewriting every row` };
  }
  for (const t of [from, to]) {
    if (from.name !== to.name && !BUILT_IN.has(t.name) && !env.isUserType(t.name)) {
      return {
        rewrite: 'unknown',
        reason: `${change}: dbops does not know type ${t.name} (an extension's type or a domain may be binary-coercible)`,
        cannotProve: `type ${t.name} is not created earlier in the run nor in lint.schemaFile`,
      };
    }
  }
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
  if (((from.name === 'timestamp' && to.name === 'timestamptz') || (from.name === 'timestamptz' && to.name === 'timestamp')) && pgVersion >= 12) {
    return timestampZoneChange(change, env.timeZone);
  }
  return { rewrite: 'yes', reason: `${change} converts every stored value` };
}

/** PostgreSQL 12+ reinterprets the stored values in place when the session TimeZone is UTC. */
function timestampZoneChange(change: string, zone: string | null): TypeChangeVerdict {
  const kind = zone === null ? undefined : timeZoneKind(zone);
  if (kind === 'utc') return { rewrite: 'no', reason: `${change} needs no rewrite: the session TimeZone is ${zone} (UTC)` };
  if (kind === 'other') return { rewrite: 'yes', reason: `${change} converts every stored value: the session TimeZone ${zone} is not UTC` };
  return {
    rewrite: 'unknown',
    reason: `${change} skips the rewrite only when the session TimeZone is UTC`,
    cannotProve:
      zone === null
        ? 'the session TimeZone is not known: SET TimeZone in the migration or configure lint.serverTimeZone'
        : `dbops cannot tell whether TimeZone ${zone} is UTC`,
  };
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
