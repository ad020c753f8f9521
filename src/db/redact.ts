/**
 * Passwords must never reach output, whatever shape the string that carries them has. Three
 * layers, because a malformed connection string defeats any one of them:
 * - every password dbops extracts from a connection string (or PGPASSWORD) is registered, and
 *   every occurrence of a registered secret is masked wherever it appears;
 * - anything that looks like `user:secret@` (with or without a well-formed `scheme://`) and
 *   `password=...` (quoted, unquoted or with a quote never closed) is masked;
 * - messages about a connection string never quote it: they use describeConnectionString, which
 *   shows only the parts that cannot hold a secret.
 */
const secrets = new Set<string>();

/** Remembers a password so it is masked in every later message, however it got there. */
export function registerSecret(secret: string | undefined): void {
  // One- or two-character "secrets" would mask ordinary letters everywhere; the patterns below still catch them in context.
  if (secret !== undefined && secret.length >= 3) secrets.add(secret);
}

/** A scheme with its separator, well-formed or not: `postgres://`, `postgresql:/`, `postgres//`. */
const SCHEME = /^[a-z][a-z0-9+.-]*:?\/+/i;
const PASSWORD_KV = /(password\s*=\s*)('(?:[^'\\]|\\.)*'|'.*$|[^\s&'"]+)/gim;
const PASSWORD_PARAM = /([?&]password=)[^&\s'"]*/gi;

export function redactSecrets(text: string): string {
  let out = text;
  for (const s of secrets) out = out.split(s).join('***');
  for (const s of [...secrets].map((x) => encodeURIComponent(x)).filter((x) => !secrets.has(x))) out = out.split(s).join('***');
  return out
    .replace(/[^\s'"]*@[^\s'"]*/g, maskUserinfo)
    .replace(PASSWORD_PARAM, '$1***')
    .replace(PASSWORD_KV, '$1***');
}

/** `[scheme]user:secret@host…` → `[scheme]user:***@host…` (the secret runs to the last `@`). */
function maskUserinfo(token: string): string {
  const scheme = SCHEME.exec(token)?.[0] ?? '';
  const at = token.lastIndexOf('@');
  const colon = token.indexOf(':', scheme.length);
  if (colon < 0 || colon > at) return token;
  return `${token.slice(0, colon)}:***${token.slice(at)}`;
}

/** A URL (or conninfo) made safe to print. */
export function redactUrl(url: string): string {
  return redactSecrets(url);
}

/** Words that cannot be a password, so a message may quote them: URL schemes and libpq keywords. */
const SAFE_LEAD = /^\s*((?:postgres(?:ql)?|host|hostaddr|port|dbname|user|sslmode|service|application_name|connect_timeout)\b[:/=]{0,3})/i;

/**
 * What an error message may say about a connection string that could not be read: its length
 * and, when it starts with a URL scheme or a libpq keyword, that start — never anything else, as
 * a malformed string may put the password anywhere.
 */
export function describeConnectionString(text: string): string {
  const lead = SAFE_LEAD.exec(text);
  return lead ? `a ${text.length}-character string starting "${lead[1]}"` : `a ${text.length}-character string`;
}

/**
 * Passwords a connection string may carry even when it is malformed: the text between a
 * colon and the last `@` of a `user:secret@host` shape, and `password=` values.
 */
export function secretsIn(text: string): string[] {
  const found: string[] = [];
  const at = text.lastIndexOf('@');
  if (at > 0) {
    const before = text.slice(0, at);
    const scheme = /^\s*[a-z][a-z0-9+.-]*:\/*/i.exec(before);
    const rest = before.slice(scheme ? scheme[0].length : 0);
    const colon = rest.indexOf(':');
    if (colon >= 0) found.push(rest.slice(colon + 1));
  }
  const kv = /password\s*=\s*('((?:[^'\\]|\\.)*)'|'(.*)$|([^\s&]+))/gim;
  let m: RegExpExecArray | null;
  while ((m = kv.exec(text)) !== null) {
    const value = m[2] ?? m[3] ?? m[4];
    if (value) found.push(value, value.replace(/\\(.)/g, '$1'));
  }
  const param = /[?&]password=([^&\s]*)/gi;
  while ((m = param.exec(text)) !== null) {
    if (m[1]) {
      found.push(m[1]);
      try {
        found.push(decodeURIComponent(m[1]));
      } catch {
        // Not valid percent-encoding: the raw text is what would be printed.
      }
    }
  }
  const extra: string[] = [];
  for (const f of found) {
    try {
      extra.push(decodeURIComponent(f));
    } catch {
      // Not valid percent-encoding: the raw text is what would be printed.
    }
  }
  return [...found, ...extra].filter((s) => s.length > 0);
}

/** Registers every password a connection string carries, before anything about it is printed. */
export function registerConnectionSecrets(text: string | undefined): void {
  if (!text) return;
  for (const s of secretsIn(text)) registerSecret(s);
}
