/** Every rule, one line each. Adding a rule: a file here, a docs page, tests, and a line below. */
import type { Rule } from '../src/lint/rule';
import addingColumnRewrite from './adding-column-rewrite';
import changingColumnType from './changing-column-type';
import constraintWithoutNotValid from './constraint-without-not-valid';
import creatingIndexNonConcurrently from './creating-index-non-concurrently';
import lockTimeout from './lock-timeout';
import settingNotNull from './setting-not-null';

export const RULES: Rule[] = [
  changingColumnType,
  addingColumnRewrite,
  settingNotNull,
  constraintWithoutNotValid,
  creatingIndexNonConcurrently,
  lockTimeout,
];
