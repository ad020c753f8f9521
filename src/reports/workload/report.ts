import { loadParser } from '../../sql/parser';
import type { Topology } from '../../replication/topology';
import type { ReportFormat } from '../../output/formats';
import type { Rendered } from '../watch';
import { analyzeWorkload, parseWorkload } from './analyze';
import { collectWorkload, readFunctionVolatility, type CollectWorkloadOptions } from './collect';
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
  // The WASM parser loads while the first sample is read.
  const [samples] = await Promise.all([collectWorkload(topology, options), loadParser()]);
  const parsed = parseWorkload(samples);
  const volatility = samples.primary.second ? await readFunctionVolatility(topology.primary!, parsed.functions, options) : new Map<string, boolean>();
  if (typeof volatility === 'string') samples.primary.degradations.push({ missing: `function volatility (${volatility}); reads that call functions are kept on the primary`, fix: 'run the report again', blocksVerdict: false });
  const analysis = analyzeWorkload(samples, parsed, typeof volatility === 'string' ? new Map() : volatility, options);
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
