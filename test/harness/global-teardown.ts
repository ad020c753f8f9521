import { reapClusters } from '../../src/testing/cluster';

/** Whatever a crashed test file did not stop, stop now. */
export default async function globalTeardown(): Promise<void> {
  await reapClusters();
}
