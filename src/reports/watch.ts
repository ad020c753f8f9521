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
  let stop: () => void = () => undefined;
  let stopped = false;
  const interrupted = new Promise<void>((resolve) => {
    stop = () => {
      stopped = true;
      resolve();
    };
  });
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  let last: Status = 'UNKNOWN';
  try {
    while (!stopped) {
      const r = await Promise.race([produce(), interrupted.then(() => undefined)]);
      if (!r || stopped) break;
      last = r.status;
      out.write(out.isTTY ? `\x1b[H\x1b[2J${r.text}` : `${r.text}\n`);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([new Promise((res) => (timer = setTimeout(res, options.watchMs))), interrupted]);
      clearTimeout(timer);
    }
  } finally {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  }
  return STATUS_EXIT_CODE[last];
}
