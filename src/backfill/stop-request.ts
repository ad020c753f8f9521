import type { StopRequest } from './runner';

/**
 * SIGINT/SIGTERM handling for a runner: the first signal asks the loop to stop after the current
 * batch commits or rolls back (and wakes any wait); a second one exits at once, and the server
 * rolls back the open transaction when the connection drops.
 */
export function installStopHandlers(onForcedExit: () => void): StopRequest & { dispose(): void } {
  let signal: string | null = null;
  const wakers = new Set<() => void>();
  const handler = (sig: NodeJS.Signals) => {
    if (signal) return onForcedExit();
    signal = sig;
    for (const wake of wakers) wake();
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    get signal() {
      return signal;
    },
    sleep(ms: number) {
      if (signal || ms <= 0) return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wakers.delete(done);
          resolve();
        };
        const timer = setTimeout(done, ms);
        wakers.add(done);
      });
    },
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
