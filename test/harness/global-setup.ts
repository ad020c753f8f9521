import { ensureTemplate, reapClusters, startWatchdog } from '../../src/testing/cluster';

/** Builds the initdb template once, reaps what earlier dead runs left, and arms the watchdog. */
export default async function globalSetup(): Promise<void> {
  await reapClusters();
  await ensureTemplate();
  startWatchdog(process.pid);
}
