/**
 * Passwords must never reach output. Connection URLs are rewritten to `user:***@`, and
 * `password=...` key/value pairs (libpq conninfo style) to `password=***`.
 */
export function redactSecrets(text: string): string {
  return text
    .replace(/([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*):([^@/\s]*)@/gi, '$1:***@')
    .replace(/(password\s*=\s*)('(?:[^'\\]|\\.)*'|[^\s&]+)/gi, '$1***');
}

/** A URL (or conninfo) made safe to print. */
export function redactUrl(url: string): string {
  return redactSecrets(url);
}
