import { describeConnectionError, openSession } from '../../src/db/connect';
import { resolveConnection } from '../../src/db/connection-options';
import { resolveTopology } from '../../src/replication/topology';
import { DbopsError } from '../../src/core/errors';
import { useCluster } from '../harness/cluster';
import { SECRET, secretShapes } from '../harness/secret-shapes';

/**
 * "Redact before any message is built": the messages the core builds about a connection string
 * (malformed or refused by the server) must not hold its password even before the last-line
 * redaction in reportError runs.
 */
const pg = useCluster();

function rawText(err: unknown): string {
  const e = err as DbopsError;
  return `${e.message} ${e.hint ?? ''}`;
}

describe('connection errors are built without the password', () => {
  it('every shape, as --url, --primary, --replica and --pgbouncer, and when connecting', async () => {
    let refusedByServer = 0;
    for (const shape of secretShapes(pg().primary.port)) {
      const attempts: Array<() => unknown> = [
        () => resolveConnection(shape, {}),
        () => resolveTopology({ primary: shape }),
        () => resolveTopology({ replicas: [`standby1=${shape}`] }),
        () => resolveTopology({ replicas: [shape] }),
        () => resolveTopology({ pgbouncers: [shape] }),
      ];
      for (const attempt of attempts) {
        try {
          attempt();
        } catch (err) {
          expect(err).toBeInstanceOf(DbopsError);
          expect(rawText(err)).not.toContain(SECRET);
        }
      }
      let target;
      try {
        target = resolveConnection(shape, {});
      } catch {
        continue;
      }
      const err = await openSession({ url: shape, applicationName: 'dbops test', connectTimeoutMs: 5000 }).then(
        async (s) => {
          await s.close();
          return undefined;
        },
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(DbopsError);
      expect(rawText(err)).not.toContain(SECRET);
      expect(rawText(describeConnectionError(err, target.label))).not.toContain(SECRET);
      refusedByServer++;
    }
    // The well-formed shapes with a wrong password did reach the server.
    expect(refusedByServer).toBeGreaterThanOrEqual(3);
  });
});
