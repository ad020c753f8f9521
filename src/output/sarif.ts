/**
 * The one SARIF 2.1.0 builder (`dbops lint --format sarif`, `dbops audit queries --format sarif`):
 * the log's frame, the tool's driver and file locations, so both commands' logs are valid and
 * alike; each command supplies its rules and results.
 */
export interface SarifRule {
  id: string;
  name?: string;
  shortDescription: { text: string };
  fullDescription?: { text: string };
  /** Must be an absolute URI: code scanning rejects relative ones. */
  helpUri?: string;
  help?: { text: string; markdown?: string };
  defaultConfiguration?: { level: 'none' | 'note' | 'warning' | 'error'; enabled: boolean };
  properties?: Record<string, unknown>;
}

export interface SarifLocation {
  physicalLocation: {
    artifactLocation: { uri: string };
    region: { startLine: number; startColumn: number; endLine?: number; endColumn?: number };
  };
}

export interface SarifResult {
  ruleId: string;
  ruleIndex?: number;
  level: 'note' | 'warning' | 'error';
  message: { text: string };
  locations: SarifLocation[];
  partialFingerprints?: Record<string, string>;
  /** Tool-specific facts (lint --verify: what the scratch server observed, modelWasWrong). */
  properties?: Record<string, unknown>;
}

export interface SarifTool {
  name: string;
  version: string;
  /** Absolute; left out when the package declares no homepage. */
  informationUri?: string;
}

/** A place in a file; the path becomes a URI reference (spaces and the like percent-encoded). */
export function sarifLocation(file: string, region: SarifLocation['physicalLocation']['region']): SarifLocation {
  return { physicalLocation: { artifactLocation: { uri: encodeURI(file) }, region } };
}

/** The whole log, one run, as printed: indented, with a final newline. */
export function renderSarifLog(tool: SarifTool, rules: SarifRule[], results: SarifResult[], properties?: Record<string, unknown>): string {
  return printSarifLog(tool, rules, results, properties);
}

/** The same with anything in the results' place (a writer that spools the results prints a marker there). */
export function printSarifLog(tool: SarifTool, rules: SarifRule[], results: unknown, properties?: Record<string, unknown>): string {
  const driver = {
    name: tool.name,
    version: tool.version,
    semanticVersion: tool.version,
    ...(tool.informationUri ? { informationUri: tool.informationUri } : {}),
    rules,
  };
  const log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{ tool: { driver }, results, ...(properties ? { properties } : {}) }],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
