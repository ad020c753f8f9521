import { loadParser } from '../../sql/parser';
import type { Topology } from '../../replication/topology';
import type { ReportFormat } from '../../output/formats';
import type { Rendered } from '../watch';
import { analyzeWorkload, parseWorkload } from './analyze';
import { collectWorkload, readFunctionVolatility, type CollectWorkloadOptions } from './collect';
import { StatementShapes } from './statements';
import type { PrimarySample } from './types';
import { evaluateWorkload, type WorkloadThresholds } from './evaluate';
import type { TierMap } from './isolation';
import { workloadJson, workloadPrometheus, workloadText, type WorkloadReport } from './render';

export interface WorkloadOptions extends CollectWorkloadOptions {
  top: number;
  tiers: TierMap;
}

/** One run of `dbops report workload`: two samples, the parser over the statements, thresholds, one format. */
export async function produceWorkloadReport(topology: Topology, thresholds: WorkloadThresholds, options: WorkloadOptions, format: ReportFormat): Promise<Rendered> {
  const generatedAt = new Date();
  const shapes = new StatementShapes();
  const parser = loadParser();
  let lookedUp = new Set<string>();
  // The first sample's statements are parsed while the interval runs; the second sample then
  // reads the volatility of the functions they call in the same session.
  const duringInterval = async (first: PrimarySample) => {
    await parser;
    const names = shapes.functionsOf((first.statements ?? []).map((s) => s.query));
    lookedUp = new Set(names);
    return names;
  };
  const [samples] = await Promise.all([collectWorkload(topology, { ...options, duringInterval }), parser]);
  const parsed = parseWorkload(samples, shapes);
  const volatility = samples.primary.volatility;
  const unseen = parsed.functions.filter((f) => !lookedUp.has(f));
  if (unseen.length > 0) {
    const more = await readFunctionVolatility(topology.primary!, unseen, options);
    if (typeof more === 'string') samples.primary.degradations.push({ missing: `function volatility (${more}); reads that call functions are kept on the primary`, fix: 'run the report again', blocksVerdict: false });
    else for (const [name, v] of more) volatility.set(name, v);
  }
  const analysis = analyzeWorkload(samples, parsed, volatility, options);
  const verdicts = evaluateWorkload(analysis, thresholds);
  const report: WorkloadReport = { generatedAt, status: verdicts.status, thresholds, analysis, verdicts };
  return { text: renderWorkload(format, report), status: report.status };
}

function renderWorkload(format: ReportFormat, report: WorkloadReport): string {
  switch (format) {
    case 'text':
      return workloadText(report);
    case 'json':
      return workloadJson(report);
    case 'prometheus':
      return workloadPrometheus(report);
  }
}
