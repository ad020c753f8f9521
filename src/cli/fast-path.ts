/**
 * A start-up fast path: a plain, valid invocation of a hot command (`dbops lint file.sql`,
 * `dbops report lag`) runs without loading oclif, which costs ~60 ms of lint's 150 ms budget and
 * ~150 ms of CPU of a report over fifty nodes on a busy machine. Anything the small parser here
 * is not sure about (help, an unknown flag, a bad option value, bundled short flags, a missing
 * required flag, exclusive flags together) returns
 * undefined, and oclif handles it with its full parser, help and error messages.
 */
export interface FlagSpec {
  type: 'option' | 'boolean' | 'integer';
  description: string;
  char?: string;
  multiple?: boolean;
  options?: readonly string[];
  /** What the help shows instead of the options (which may include accepted old names). */
  helpValue?: string;
  default?: string | number | boolean;
  /** The smallest value of an integer flag. */
  min?: number;
  /** The heading the flag is listed under in --help. */
  helpGroup?: string;
  /** The command cannot run without it; the fast path hands a missing one to oclif's error. */
  required?: boolean;
  /** Flags that cannot be given with this one; the fast path hands such a mix to oclif's error. */
  exclusive?: readonly string[];
}

/** The global flags of every dbops command (DbopsCommand.baseFlags). */
const GLOBAL_FLAGS: Record<string, FlagSpec> = {
  debug: { type: 'boolean', description: '' },
  config: { type: 'option', description: '' },
};

export interface SimpleParse {
  flags: Record<string, string | string[] | boolean | number>;
  args: string[];
}

export function parseSimpleArgv(argv: readonly string[], commandFlags: Record<string, FlagSpec>): SimpleParse | undefined {
  const specs: Record<string, FlagSpec> = { ...GLOBAL_FLAGS, ...commandFlags };
  const byChar = new Map(Object.entries(specs).flatMap(([name, spec]) => (spec.char ? [[spec.char, name] as const] : [])));
  const flags: SimpleParse['flags'] = {};
  const args: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i];
    if (token === '--') {
      args.push(...argv.slice(i + 1));
      break;
    }
    if (token === '-' || !token.startsWith('-')) {
      args.push(token);
      continue;
    }
    const long = /^--([a-z][a-z0-9-]*)(?:=(.*))?$/s.exec(token);
    const short = /^-([a-zA-Z])$/.exec(token);
    const name = long ? long[1] : short ? byChar.get(short[1]) : undefined;
    const spec = name === undefined ? undefined : specs[name];
    if (!name || !spec || !Object.hasOwn(specs, name)) return undefined;
    if (spec.type === 'boolean') {
      if (long?.[2] !== undefined || name in flags) return undefined;
      flags[name] = true;
      continue;
    }
    let value = long?.[2];
    if (value === undefined) {
      if (i + 1 >= argv.length) return undefined;
      value = argv[++i];
    }
    if (spec.options && !spec.options.includes(value)) return undefined;
    if (spec.type === 'integer') {
      if (!/^-?\d+$/.test(value) || Number(value) < (spec.min ?? -Infinity) || name in flags) return undefined;
      flags[name] = Number(value);
    } else if (spec.multiple) flags[name] = [...((flags[name] as string[] | undefined) ?? []), value];
    else if (name in flags) return undefined;
    else flags[name] = value;
  }
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.required && !(name in flags)) return undefined;
    if (name in flags && spec.exclusive?.some((other) => other in flags)) return undefined;
  }
  for (const [name, spec] of Object.entries(specs)) if (spec.default !== undefined && !(name in flags)) flags[name] = spec.default;
  return { flags, args };
}
