/**
 * What a rule is: declarative metadata (drives --explain, SARIF rules[], the docs index and
 * config validation), message templates, and a small check over one analysed statement.
 */
import type { ActionKind, AnalyzedStatement } from '../effects/types';
import type { LintOptions, RuleCategory, RuleMeta, Severity } from './types';

/** Rules check one analysed statement at a time: its effects and the context it runs in. */
export type { AnalyzedStatement };

export interface RuleContext {
  /** This rule's options from config (lint.options.<rule-id>). */
  options: Record<string, unknown>;
  lint: LintOptions;
}

export interface RuleReport {
  message: string;
  why: string;
  fix?: string;
  /** A weaker severity for this finding (e.g. "cannot prove safe" vs "will rewrite"); config overrides win. */
  severity?: Severity;
  /** The work this finding claims, when it differs from the rule's (consumers filter heavy work on it). */
  category?: RuleCategory;
}

export interface Rule {
  meta: RuleMeta;
  /**
   * SQL it reports (bad) and the safe way that passes (good), against the example schema in
   * docs/rules/README.md: the rule tests lint them and the oracle runs them on a real server.
   */
  examples: { bad: string[]; good: string[] };
  /** Message templates with {placeholders}, listed so they can be documented and tested. */
  messages: Record<string, string>;
  /**
   * The action kinds the rule reports on, when it reports only on those: the engine then calls
   * check only for statements that have such an action (most rules concern one kind, and calling
   * every rule for every statement was a third of a cold run).
   */
  actionKinds?: readonly ActionKind[];
  check(stmt: AnalyzedStatement, ctx: RuleContext): RuleReport[];
}

/** Fills {name} placeholders. */
export function format(template: string, data: Record<string, string | number | undefined>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (data[key] === undefined ? whole : String(data[key])));
}

export function defineRule(rule: Rule): Rule {
  return rule;
}
