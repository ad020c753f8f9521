import { startCluster, type Cluster, type ClusterOptions } from '../../src/testing/cluster';

/**
 * Starts a real cluster before the tests of a file and stops it after them, pass or fail:
 *   const pg = useCluster({ standbys: true });
 *   it('…', async () => { pg().primary.url … });
 */
export function useCluster(options: ClusterOptions = {}): () => Cluster {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster(options);
  }, 120_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);
  return () => {
    if (!cluster) throw new Error('cluster not started (useCluster must be called at the top level of a describe)');
    return cluster;
  };
}

export type { Cluster };
