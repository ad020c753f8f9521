import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { useCluster } from '../harness/cluster';
import { runReport } from '../../src/reports/watch';
import { produceLagReport } from '../../src/reports/lag/report';
import { parseLagThresholds } from '../../src/reports/lag/evaluate';
import { fullTopology } from './helpers';

/** A full collection of the heap: jest's workers run without --expose-gc, so it is switched on here. */
function collectGarbage(): void {
  setFlagsFromString('--expose-gc');
  (runInNewContext('gc') as () => void)();
}

/** The heap in use after a full collection, the smallest of three (a collection can leave a little behind). */
function liveHeap(): number {
  const samples = [0, 1, 2].map(() => {
    collectGarbage();
    return process.memoryUsage().heapUsed;
  });
  return Math.min(...samples);
}

describe('report --watch memory', () => {
  const pg = useCluster({ standbys: true });

  it('keeps the heap flat over hundreds of redraws of a real lag report (#15)', async () => {
    // From redraw K on, the code V8 compiles for the loop has mostly settled; it still grows a little (~0.6 kB a redraw, measured).
    const K = 200;
    const N = 700;
    const thresholds = parseLagThresholds({ warn: '30s', critical: '5min' });
    const topology = fullTopology(pg());
    const heap = new Map<number, number>();
    let redraws = 0;
    let written = 0;
    const out = { isTTY: false, write: (text: string) => ((written += text.length), true) } as unknown as NodeJS.WriteStream;
    const code = await runReport(
      async () => {
        redraws++;
        if (redraws === K + 1 || redraws === N + 1) heap.set(redraws - 1, liveHeap());
        if (redraws === N + 1) process.emit('SIGINT');
        return produceLagReport(topology, thresholds, {}, 'json');
      },
      { watchMs: 1, out },
    );
    expect(code).toBe(0);
    expect(written).toBeGreaterThan(N * 1000);
    const growth = heap.get(N)! - heap.get(K)!;
    // Before the fix each redraw left its report (~8 kB here) reachable from a promise that lives as long as the watch: 4 MB.
    expect(growth).toBeLessThan(1_500_000);
  }, 180_000);
});
