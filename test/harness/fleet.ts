import { startFleet, FLEET_NODE_SETTINGS, type Fleet, type FleetShape } from '../../src/testing/fleet';
import { useCluster, type Cluster } from './cluster';

/**
 * A primary and a fleet of replicas (50 by default: direct standbys, intermediates, leaves) for
 * the tests of a file, stopped after them with the cluster, pass or fail. One per test file: it
 * is the most expensive thing the harness starts.
 */
export function useFleet(shape: FleetShape = {}): () => { cluster: Cluster; fleet: Fleet } {
  const pg = useCluster({ settings: FLEET_NODE_SETTINGS });
  let fleet: Fleet | undefined;
  beforeAll(async () => {
    fleet = await startFleet(pg(), shape);
  }, 180_000);
  return () => {
    if (!fleet) throw new Error('fleet not started (useFleet must be called at the top level of a describe)');
    return { cluster: pg(), fleet };
  };
}
