import { DbopsError } from '../core/errors';
import { EXIT } from '../core/exit-codes';
import { redactSecrets } from './redact';

interface PgLikeError {
  code?: string;
  message?: string;
}

/**
 * Turns a server error met while running a command's queries into a one-line DbopsError: a
 * refused permission is "the database refused us" (exit 3) with the privilege that is missing,
 * a lost connection too; anything else is a failed operation (exit 4). DbopsErrors pass through.
 */
export function describeQueryError(err: unknown, doing: string, privilegeHint: string): DbopsError {
  if (err instanceof DbopsError) return err;
  const e = (err ?? {}) as PgLikeError;
  const msg = redactSecrets(e.message ?? String(err));
  if (e.code === '42501') return new DbopsError(`${/^permission denied/i.test(msg) ? msg : `permission denied: ${msg}`} while ${doing}`, { exitCode: EXIT.database, hint: privilegeHint, cause: err });
  if (e.code?.startsWith('08') || e.code === '57P01' || /Connection terminated|ECONNRESET/i.test(msg)) {
    return new DbopsError(`lost the connection ${doing}: ${msg}`, { exitCode: EXIT.database, hint: 'check that the server is up and rerun', cause: err });
  }
  return new DbopsError(`failed ${doing}: ${msg}${e.code ? ` (SQLSTATE ${e.code})` : ''}`, { exitCode: EXIT.failed, hint: 'rerun with --debug for details', cause: err });
}
