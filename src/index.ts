/**
 * The dbops library API, `require('dbops')`: what the commands are built on, for tools that want
 * the findings, the effects or the report data rather than the CLI's output. Documented in
 * docs/api.md; everything else under dist/ is internal and may change in any release.
 */

// Lint: SQL sources in, findings out (each with its rule, severity, position and fix).
export { lintSources, ruleMetas, unknownRuleIds } from './lint/engine';
export type { Finding, LintOptions, LintReport, RuleMeta, Severity, SeveritySetting, SqlSource } from './lint/types';

// Effects: what each statement does (locks, rewrites, scans), predicted offline, in run order.
export { analyzeSources } from './effects/analyze-files';
export type { AnalyzeOptions, AnalyzedFile, AnalyzedTopLevelStatement } from './effects/analyze-files';
export type { Action, ActionKind, AnalyzedStatement, ContextSnapshot, RelationEffect, RelationRef, StatementEffects } from './effects/types';
export type { LockMode } from './effects/locks';

// Report collectors: read-only sessions, one row per node, never throwing for one bad node.
export { resolveTopology } from './replication/topology';
export type { NodeEndpoint, Topology, TopologyFlags } from './replication/topology';
export type { NodeTimeouts } from './replication/node-session';
export { collectLag, worstLag } from './replication/lag/collect';
export type { CollectLagOptions, LagState, NodeLag, NodeRole } from './replication/lag/collect';
export { collectConnections } from './reports/connections/collect';
export type { CollectConnectionsOptions } from './reports/connections/collect';
export type { BouncerConnections, ConnectionsSnapshot, NodeConnections, PoolStats } from './reports/connections/types';

// Errors the API throws on bad input or an unreachable server, with the CLI's exit codes.
export { DbopsError, UsageError } from './core/errors';
export { EXIT } from './core/exit-codes';
