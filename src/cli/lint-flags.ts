import type { FlagSpec } from './fast-path';
import { HUMAN_FORMAT, HUMAN_FORMAT_ALIASES, LINT_FORMATS } from '../output/formats';

/**
 * The flags of `dbops lint`, as plain data: the oclif command builds its flags from this, and the
 * start-up fast path (src/cli/fast-path.ts) parses plain invocations with it without loading oclif.
 */
export const LINT_FLAGS = {
  format: {
    type: 'option',
    char: 'f',
    description: 'output format; text (the default) is for people, coloured only on a terminal',
    // The old name of the human format is accepted too; the lint run reads it as text.
    options: [...LINT_FORMATS, ...HUMAN_FORMAT_ALIASES],
    helpValue: LINT_FORMATS.join('|'),
    default: HUMAN_FORMAT,
  },
  'pg-version': { type: 'option', description: 'PostgreSQL major version of the target server, 11–18 (default: pgVersion from the config, else 15)' },
  since: { type: 'option', description: 'lint only migrations added or changed since this git ref (plus untracked files)' },
  rule: { type: 'option', multiple: true, description: 'set a rule severity: <rule-id>=off|warning|error (repeatable; beats the config)' },
  explain: { type: 'option', description: 'print the docs page of a rule and exit' },
  stats: { type: 'option', description: 'a stats snapshot (dbops stats snapshot > dbops-stats.json): heavy findings say how long the lock would be held (beats lint.statsFile)' },
  'list-rules': { type: 'boolean', description: 'list every rule with its category and the severity in effect, and exit' },
  verify: {
    type: 'option',
    description: 'prove each prediction on a scratch server: a URL where dbops may create (and drops) a database, or local for a throwaway PostgreSQL of its own',
  },
} as const satisfies Record<string, FlagSpec>;
