import { packageInfo } from '../util/package';

/**
 * The JSON convention of every command (docs/architecture.md, "JSON output"): `--format json`
 * prints one document, an object whose first keys are `schemaVersion` and `tool`, then the
 * command's own fields. New keys may be added under the same schemaVersion; renaming, removing or
 * changing the meaning of a key raises it.
 */
export const JSON_SCHEMA_VERSION = 1;

export interface JsonTool {
  name: string;
  version: string;
}

export function dbopsTool(): JsonTool {
  return { name: 'dbops', version: packageInfo().version };
}

export function jsonEnvelope<T extends object>(body: T, tool: JsonTool = dbopsTool()): { schemaVersion: number; tool: JsonTool } & T {
  return { schemaVersion: JSON_SCHEMA_VERSION, tool: { name: tool.name, version: tool.version }, ...body };
}

/** The document as printed: indented, with a final newline. */
export function renderJsonDocument(body: object, tool?: JsonTool): string {
  return JSON.stringify(jsonEnvelope(body, tool), null, 2) + '\n';
}
