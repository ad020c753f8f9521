import { EXIT } from './exit-codes';

/**
 * An error meant for the user: one line saying what went wrong, one hint saying how to fix it,
 * and the exit code the command ends with. Anything else that escapes a command is a bug and is
 * reported as such.
 */
export class DbopsError extends Error {
  readonly exitCode: number;
  readonly hint?: string;

  constructor(message: string, options: { exitCode?: number; hint?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DbopsError';
    this.exitCode = options.exitCode ?? EXIT.failed;
    this.hint = options.hint;
  }
}

export class UsageError extends DbopsError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: EXIT.usage, hint });
    this.name = 'UsageError';
  }
}

/** Formats a user-facing error as the single line every command prints. */
export function formatErrorLine(message: string, hint?: string): string {
  const first = message.split('\n')[0].trim();
  return hint ? `error: ${first} — ${hint}` : `error: ${first}`;
}
