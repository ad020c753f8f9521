import { allRules, findingText, fingerprints, firstParagraph, readRuleDocs, type LintRun } from './model';
import { renderSarifLog, sarifLocation, type SarifResult, type SarifRule } from '../sarif';

/**
 * SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDE viewers). Each rule carries its
 * category in properties.category and its docs page as help, so the scanning UI shows the
 * safe recipe next to the alert. With --verify, a result carries what the scratch server
 * observed in properties.verification and properties.modelWasWrong, and the run carries every
 * verified statement in properties.verification.
 */
export function renderSarif(run: LintRun): string {
  const rules = allRules(run.report);
  const ruleIndex = new Map(rules.map((r, i) => [r.id, i]));
  const prints = fingerprints(run.report.findings);
  const helpBase = run.tool.informationUri?.replace(/\/$/, '');
  const sarifRules = rules.map((rule): SarifRule => {
    const docs = readRuleDocs(run.docsRoot, rule);
    return {
      id: rule.id,
      name: ruleName(rule.id),
      shortDescription: { text: rule.title },
      fullDescription: { text: (docs && firstParagraph(docs)) ?? rule.title },
      ...(helpBase ? { helpUri: `${helpBase}/blob/main/${rule.docs}` } : {}),
      ...(docs ? { help: { text: docs, markdown: docs } } : {}),
      defaultConfiguration: { level: rule.defaultSeverity === 'off' ? 'none' : rule.defaultSeverity, enabled: rule.defaultSeverity !== 'off' },
      properties: { category: rule.category, tags: [rule.category] },
    };
  });
  const results = run.report.findings.map(
    (f, i): SarifResult => ({
      ruleId: f.ruleId,
      ...(ruleIndex.has(f.ruleId) ? { ruleIndex: ruleIndex.get(f.ruleId) } : {}),
      level: f.severity,
      message: { text: findingText(f) },
      locations: [sarifLocation(f.file, { startLine: f.start.line, startColumn: f.start.column, endLine: f.end.line, endColumn: f.end.column })],
      partialFingerprints: { 'dbopsFindingHash/v1': prints[i] },
      ...(f.verification ? { properties: { verification: f.verification, modelWasWrong: f.verification.modelWasWrong } } : {}),
    }),
  );
  const verification = run.report.verification;
  return renderSarifLog(run.tool, sarifRules, results, verification ? { pgVersion: run.pgVersion, verification } : { pgVersion: run.pgVersion });
}

/** PascalCase rule name, as SARIF viewers display it ("alter-column-type" → "AlterColumnType"). */
function ruleName(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c: string) => c.toUpperCase());
}
