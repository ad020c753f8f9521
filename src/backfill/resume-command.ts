import { secretsIn } from '../db/redact';

/** Flags whose value is a connection string, and the variable a placeholder for it is named. */
const URL_FLAGS: Record<string, (value: string) => { prefix: string; url: string; placeholder: string }> = {
  '--url': (value) => ({ prefix: '', url: value, placeholder: 'DATABASE_URL' }),
  '--replica': (value) => {
    const eq = value.indexOf('=');
    const name = value.slice(0, eq);
    return { prefix: `${name}=`, url: value.slice(eq + 1), placeholder: `${name.toUpperCase().replace(/[^A-Z0-9]+/g, '_')}_URL` };
  },
};

export interface ResumeCommand {
  /** The command line to paste: a connection string that holds a password is replaced by the variable it came from. */
  command: string;
  /** Variables the command uses that the environment does not hold yet, with what to set them to. */
  toSet: string[];
}

/**
 * The command that resumes a backfill, for "rerun the same command": the arguments as given,
 * except connection strings with a password, which are never printed. Each is replaced by the
 * environment variable that holds it (the shell expanded `--url "$DATABASE_URL"` before dbops
 * saw it), else by a placeholder variable the operator sets, so the line can be pasted as is.
 */
export function resumeCommand(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): ResumeCommand {
  const out = ['npx', 'dbops'];
  const toSet: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const eq = arg.indexOf('=');
    const flag = arg.startsWith('--') && eq > 0 ? arg.slice(0, eq) : arg;
    const split = URL_FLAGS[flag];
    if (!split || (flag === arg && i + 1 >= argv.length)) {
      out.push(shellQuote(arg));
      continue;
    }
    const value = flag === arg ? argv[++i] : arg.slice(eq + 1);
    const { prefix, url, placeholder } = split(value);
    const source = variableHolding(url, env);
    const lead = prefix ? shellQuote(prefix) : '';
    if (source) out.push(flag, `${lead}"$${source}"`);
    else if (secretsIn(url).length === 0) out.push(flag, shellQuote(value));
    else {
      out.push(flag, `${lead}"$${placeholder}"`);
      toSet.push(`${placeholder} set to the connection string given to ${flag}${prefix ? ` ${prefix}…` : ''} (not printed: it holds a password)`);
    }
  }
  return { command: out.join(' '), toSet };
}

/** The environment variable whose value is exactly this connection string (DATABASE_URL first). */
function variableHolding(url: string, env: NodeJS.ProcessEnv): string | undefined {
  if (env.DATABASE_URL === url) return 'DATABASE_URL';
  return Object.keys(env)
    .filter((name) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && env[name] === url)
    .sort()[0];
}

function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}
