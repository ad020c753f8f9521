/** Findings the engine itself reports (not rules over effects), with metadata like any rule's. */
import type { RuleMeta } from './types';

export const SYNTAX_ERROR = 'syntax-error';
/** A statement past dbops's analysis limits (src/sql/limits.ts), or one the analysis failed on. */
export const ANALYSIS_ERROR = 'analysis-error';

export const UNUSED_SUPPRESSION: RuleMeta = {
  id: 'unused-suppression',
  title: 'A dbops-ignore comment suppresses nothing',
  category: 'policy',
  defaultSeverity: 'warning',
  docs: 'docs/rules/unused-suppression.md',
};

export const INVALID_SUPPRESSION: RuleMeta = {
  id: 'invalid-suppression',
  title: 'A dbops-ignore comment names no rule, an unknown rule, or gives no reason',
  category: 'policy',
  defaultSeverity: 'error',
  docs: 'docs/rules/invalid-suppression.md',
};

export const ENGINE_RULES: RuleMeta[] = [UNUSED_SUPPRESSION, INVALID_SUPPRESSION];
