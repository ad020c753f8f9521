import { findingText, Fingerprints, firstParagraph, readRuleDocs, startOf, renderRun, type LintRun, type LintWriter, type LintWriterStart } from './model';
import { printSarifLog, sarifLocation, type SarifResult, type SarifRule } from '../sarif';
import { SpooledJsonArray } from '../spool';

/**
 * SARIF 2.1.0 for code scanning (GitHub, Azure DevOps, IDE viewers). Each rule carries its
 * category in properties.category and its docs page as help, so the scanning UI shows the
 * safe recipe next to the alert. With --verify, a result carries what the scratch server
 * observed in properties.verification and properties.modelWasWrong, and the run carries every
 * verified statement in properties.verification.
 */
export function renderSarif(run: LintRun): string {
  return renderRun(sarifWriter(startOf(run)), run);
}

/** renderSarif finding by finding: each result goes to a spool as it comes; the rules and the run's properties are printed at the end. */
export function sarifWriter(start: LintWriterStart): LintWriter {
  const ruleIndex = new Map(start.rules.map((r, i) => [r.id, i]));
  const prints = new Fingerprints();
  // log.runs[0].results[i]: four levels deep.
  const results = new SpooledJsonArray(4);
  return {
    finding(f) {
      const result: SarifResult = {
        ruleId: f.ruleId,
        ...(ruleIndex.has(f.ruleId) ? { ruleIndex: ruleIndex.get(f.ruleId) } : {}),
        level: f.severity,
        message: { text: findingText(f) },
        locations: [sarifLocation(f.file, { startLine: f.start.line, startColumn: f.start.column, endLine: f.end.line, endColumn: f.end.column })],
        partialFingerprints: { 'dbopsFindingHash/v1': prints.next(f) },
        ...(f.verification ? { properties: { verification: f.verification, modelWasWrong: f.verification.modelWasWrong } } : {}),
      };
      results.add(result);
      return [];
    },
    end(run) {
      const helpBase = run.tool.informationUri?.replace(/\/$/, '');
      const sarifRules = start.rules.map((rule): SarifRule => {
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
      const verification = run.report.verification;
      const properties = verification ? { pgVersion: run.pgVersion, verification } : { pgVersion: run.pgVersion };
      return results.document((array) => printSarifLog(run.tool, sarifRules, array, properties));
    },
  };
}

/** PascalCase rule name, as SARIF viewers display it ("alter-column-type" → "AlterColumnType"). */
function ruleName(id: string): string {
  return id.replace(/(^|-)([a-z0-9])/g, (_m, _dash, c: string) => c.toUpperCase());
}
