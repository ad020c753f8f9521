/**
 * How volatile a DEFAULT expression is. Since PostgreSQL 11, ADD COLUMN with a default that is
 * not volatile stores the value once in the catalog instead of rewriting the table; a volatile
 * default (random(), gen_random_uuid(), clock_timestamp(), nextval()) is computed per row, which
 * rewrites it. Functions we do not know cannot be proven non-volatile.
 */
import { walkTree } from '../sql/tree';
import type { Volatility } from './types';

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyNode = any;

const VOLATILE = new Set([
  'random',
  'random_normal',
  'gen_random_uuid',
  'uuid_generate_v1',
  'uuid_generate_v1mc',
  'uuid_generate_v4',
  'uuidv4',
  'uuidv7',
  'clock_timestamp',
  'timeofday',
  'nextval',
  'setval',
  'txid_current',
  'pg_current_xact_id',
  'gen_random_bytes',
]);

/** Immutable or stable: evaluated once for ADD COLUMN. */
const NON_VOLATILE = new Set([
  'now',
  'transaction_timestamp',
  'statement_timestamp',
  'current_timestamp',
  'lower',
  'upper',
  'length',
  'abs',
  'concat',
  'coalesce',
  'to_jsonb',
  'to_json',
  'jsonb_build_object',
  'json_build_object',
  'jsonb_build_array',
  'json_build_array',
  'array_fill',
  'make_interval',
  'make_date',
  'make_timestamp',
  'make_timestamptz',
  'to_timestamp',
  'to_date',
  'date_trunc',
  'current_setting',
  'current_database',
  'current_schema',
  'timezone',
  'md5',
  'trim',
  'btrim',
  'replace',
  'substring',
  'left',
  'right',
  'round',
  'floor',
  'ceil',
  'greatest',
  'least',
  'int4',
  'int8',
  'text',
  'numeric',
  'extract',
  'date_part',
  'to_char',
  'format',
  'concat_ws',
  'split_part',
  'char_length',
  'octet_length',
  'array_length',
  'cardinality',
  'trunc',
  'mod',
  'power',
  'sqrt',
  'encode',
  'decode',
  'sha256',
  'digest',
  'make_time',
  'justify_interval',
  'json_object',
  'jsonb_object',
  'to_tsvector',
]);

const RANK: Record<Volatility, number> = { constant: 0, stable: 1, unknown: 2, volatile: 3 };

function worst(a: Volatility, b: Volatility): Volatility {
  return RANK[a] >= RANK[b] ? a : b;
}

/** The worst volatility anywhere in the expression (the order of the walk does not matter for a maximum). */
export function volatilityOf(node: AnyNode): Volatility {
  let v: Volatility = 'constant';
  walkTree(node, (_key, n) => {
    if (Array.isArray(n)) return;
    if (n.FuncCall) {
      const names: AnyNode[] = n.FuncCall.funcname ?? [];
      const fn = String(names[names.length - 1]?.String?.sval ?? '').toLowerCase();
      v = worst(v, VOLATILE.has(fn) ? 'volatile' : NON_VOLATILE.has(fn) ? 'stable' : 'unknown');
      return;
    }
    // CURRENT_TIMESTAMP, CURRENT_DATE, CURRENT_USER, LOCALTIMESTAMP…: stable.
    if (n.SQLValueFunction) {
      v = worst(v, 'stable');
      return 'skip';
    }
    if (n.SubLink || n.ColumnRef) {
      v = worst(v, 'unknown');
      return 'skip';
    }
  });
  return v;
}
