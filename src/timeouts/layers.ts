import type { Client } from 'pg';
import { readDbRoleSettings, readFileSettings, readServerSettings } from './queries';
import { roleDbKey, settingValueMs, timeoutsFromConfig, TIMEOUT_SETTINGS, type SettingLayers, type TimeoutSetting } from './settings';

/** Session-level sources: the value we see was changed for our session, not the server's. */
const SESSION_SOURCES = new Set(['user', 'database', 'database user', 'session', 'client']);

/** Reads the server values and every ALTER ROLE / ALTER DATABASE setting of the timeouts. */
export async function readSettingLayers(client: Client): Promise<SettingLayers> {
  const serverRows = await readServerSettings(client, TIMEOUT_SETTINGS);
  // A setting the server does not have (idle_session_timeout before PostgreSQL 14) is simply off.
  const server = Object.fromEntries(TIMEOUT_SETTINGS.map((s) => [s, 0])) as Record<TimeoutSetting, number>;
  let fileSettings: Map<string, string> | undefined;
  for (const row of serverRows) {
    if (SESSION_SOURCES.has(row.source)) {
      // Our own role or database overrides it: the server's value is the config file's, or built-in default.
      fileSettings ??= (await readFileSettings(client, TIMEOUT_SETTINGS)) ?? new Map();
      const fromFile = fileSettings.get(row.name);
      server[row.name] = fromFile !== undefined ? settingValueMs(fromFile) : 0;
    } else {
      server[row.name] = Number(row.reset_val);
    }
  }
  const layers: SettingLayers = { server, roles: new Map(), databases: new Map(), roleInDatabase: new Map() };
  for (const row of await readDbRoleSettings(client)) {
    const values = timeoutsFromConfig(row.config);
    if (Object.keys(values).length === 0) continue;
    if (row.role !== null && row.database !== null) layers.roleInDatabase.set(roleDbKey(row.role, row.database), values);
    else if (row.role !== null) layers.roles.set(row.role, values);
    else if (row.database !== null) layers.databases.set(row.database, values);
  }
  return layers;
}
