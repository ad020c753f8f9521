#!/usr/bin/env node
// Starts the same local cluster the tests use (primary, streaming standby, cascading standby,
// PgBouncer in transaction mode) so the reports and commands can be tried by hand. Ctrl-C stops it.
// Needs PostgreSQL 15 and pgbouncer from Debian (see .ci/run) and `npm run build`.
const { startCluster, stopOnSignal } = require('../dist/src/testing/cluster');

async function main() {
  const cluster = await startCluster({ standbys: true, pgbouncer: true, settings: { shared_preload_libraries: 'pg_stat_statements' } });
  const lines = [
    `primary   ${cluster.primary.url}`,
    `standby1  ${cluster.standby.url}`,
    `cascade1  ${cluster.cascade.url}`,
    `pgbouncer ${cluster.pgbouncer.url}   (admin: ${cluster.pgbouncer.adminUrl})`,
    '',
    'Try:',
    `  export DATABASE_URL='${cluster.primary.url}'`,
    `  export PRIMARY='${cluster.primary.url}' STANDBY='${cluster.standby.url}' CASCADE='${cluster.cascade.url}' PGBOUNCER_ADMIN='${cluster.pgbouncer.adminUrl}'`,
    `  npx dbops report lag --primary "$PRIMARY" --replica standby1="$STANDBY" --replica cascade1="$CASCADE"`,
    `  npx dbops report connections --primary "$PRIMARY" --replica standby1="$STANDBY" --pgbouncer "$PGBOUNCER_ADMIN"`,
    `  # make cascade1 lag: psql "$CASCADE" -c 'SELECT pg_wal_replay_pause()'; psql "$PRIMARY" -c 'CREATE TABLE t AS SELECT generate_series(1, 100000)'`,
    '',
    'Press Ctrl-C to stop and remove the cluster.',
  ];
  console.log(lines.join('\n'));
  stopOnSignal(cluster);
  setInterval(() => undefined, 1 << 30);
}

main().catch((err) => {
  console.error(`error: ${err.message}`);
  process.exit(1);
});
