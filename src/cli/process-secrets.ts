import { registerConnectionSecrets, registerSecret } from '../db/redact';

/** Any argument or variable may carry a password, malformed or not: masks them before anything can print them. */
export function registerProcessSecrets(argv: readonly string[]): void {
  for (const arg of argv) registerConnectionSecrets(arg);
  registerConnectionSecrets(process.env.DATABASE_URL);
  registerSecret(process.env.PGPASSWORD);
}
