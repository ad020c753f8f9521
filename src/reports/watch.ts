import { setTimeout as sleep } from 'node:timers/promises';
import { STATUS_EXIT_CODE, type Status } from './status';

export interface Rendered {
  text: string;
  status: Status;
}

/**
 * Runs a report once, or with `watchMs` redraws it every interval until SIGINT/SIGTERM. On a
 * terminal the screen is cleared before each redraw; piped output gets one snapshot after
 * another. Returns the exit code of the last snapshot.
 */
export async function runReport(produce: () => Promise<Rendered>, options: { watchMs?: number; out?: NodeJS.WriteStream } = {}): Promise<number> {
  const out = options.out ?? process.stdout;
  if (options.watchMs === undefined) {
    const r = await produce();
    out.write(r.text);
    return STATUS_EXIT_CODE[r.status];
  }
  // One abort signal, with a listener per wait that is removed when the wait ends: racing each
  // wait against one long-lived "interrupted" promise left a reaction on it per redraw, which
  // --watch kept for as long as it ran, and with it each redraw's report (8 kB a redraw of three
  // nodes, measured; test/reports/watch-memory.test.ts).
  const interrupted = new AbortController();
  const stop = () => interrupted.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let last: Status = 'UNKNOWN';
  try {
    while (!interrupted.signal.aborted) {
      const r = await unlessInterrupted(produce(), interrupted.signal);
      if (!r || interrupted.signal.aborted) break;
      last = r.status;
      out.write(out.isTTY ? `\x1b[H\x1b[2J${r.text}` : `${r.text}\n`);
      await sleep(options.watchMs, undefined, { signal: interrupted.signal }).catch(() => undefined);
    }
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
  return STATUS_EXIT_CODE[last];
}

/** `work`'s result, or undefined as soon as `signal` aborts (the work itself runs on). */
function unlessInterrupted<T>(work: Promise<T>, signal: AbortSignal): Promise<T | undefined> {
  if (signal.aborted) return Promise.resolve(undefined);
  return new Promise<T | undefined>((resolve, reject) => {
    const onAbort = () => resolve(undefined);
    signal.addEventListener('abort', onAbort, { once: true });
    work.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err);
      },
    );
  });
}
