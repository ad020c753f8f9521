import { DbopsError } from '../core/errors';
import { EXIT } from '../core/exit-codes';
import { redactSecrets } from './redact';

interface PgLikeError {
  code?: string;
  message?: string;
}

/**
 * The server went away or the connection broke: a connection-class SQLSTATE (08…), the server
 * shutting down (57P01 admin, 57P02 crash, 57P03 cannot connect now), or the driver's own errors
 * for a dropped socket (which carry no SQLSTATE). One test for every command, so "lost the
 * connection" is exit 3 everywhere.
 */
export function isConnectionLoss(err: unknown): boolean {
  const e = (err ?? {}) as PgLikeError;
  const code = e.code ?? '';
  if (/^(08|57P0[123])/.test(code)) return true;
  return (code === '' || /^E[A-Z]+$/.test(code)) && /Connection terminated|ECONNRESET|EPIPE|not queryable|ECONNREFUSED/i.test(e.message ?? '');
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
  if (isConnectionLoss(err)) {
    return new DbopsError(`lost the connection ${doing}: ${msg}`, { exitCode: EXIT.database, hint: 'check that the server is up and rerun', cause: err });
  }
  return new DbopsError(`failed ${doing}: ${msg}${e.code ? ` (SQLSTATE ${e.code})` : ''}`, { exitCode: EXIT.failed, hint: 'rerun with --debug for details', cause: err });
}
