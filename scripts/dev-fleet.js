#!/usr/bin/env node
// Starts a primary and a fleet of replicas (50 by default: 4 direct standbys, 12 intermediates,
// leaves under them) and writes a dbops.config.json describing it, so the reports and the
// backfill throttle can be tried at full scale by hand. Ctrl-C stops and removes it.
//   node scripts/dev-fleet.js [replicas] [config-dir]      (needs `npm run build`)
const fs = require('node:fs');
const path = require('node:path');
const { startCluster, stopOnSignal } = require('../dist/src/testing/cluster');
const { startFleet, FLEET_NODE_SETTINGS } = require('../dist/src/testing/fleet');

async function main() {
  const replicas = Number(process.argv[2] ?? 50);
  const dir = path.resolve(process.argv[3] ?? path.join(__dirname, '..', '.tmp', 'fleet'));
  const started = Date.now();
  const cluster = await startCluster({ settings: FLEET_NODE_SETTINGS });
  stopOnSignal(cluster);
  const fleet = await startFleet(cluster, { replicas });
  fs.mkdirSync(dir, { recursive: true });
  const config = {
    topology: {
      primary: cluster.primary.url,
      replicas: fleet.nodes.map((n) => ({ name: n.name, url: n.url, upstream: n.upstream })),
    },
  };
  fs.writeFileSync(path.join(dir, 'dbops.config.json'), JSON.stringify(config, null, 2) + '\n');
  const d1 = fleet.node('d1');
  console.log([
    `1 primary + ${fleet.nodes.length} replicas started in ${((Date.now() - started) / 1000).toFixed(1)} s; topology written to ${path.join(dir, 'dbops.config.json')}`,
    '',
    'Try:',
    `  cd ${dir}`,
    '  npx dbops report lag',
    '  npx dbops report lag --problems',
    '  npx dbops report connections --problems',
    `  # pause replay on d1 (its cascades keep streaming): psql '${d1.url}' -c 'SELECT pg_wal_replay_pause()'`,
    '',
    'Press Ctrl-C to stop and remove the fleet.',
  ].join('\n'));
  setInterval(() => undefined, 1 << 30);
}

main().catch((err) => {
  console.error(`error: ${err.message}`);
  process.exit(1);
});
