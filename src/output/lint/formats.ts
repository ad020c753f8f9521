/** The output formats of `dbops lint` (kept apart from the renderers so flag definitions load nothing else). */
export const LINT_FORMATS = ['pretty', 'json', 'sarif', 'github', 'gitlab', 'markdown'] as const;
export type LintFormat = (typeof LINT_FORMATS)[number];
