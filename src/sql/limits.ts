/**
 * Bounds on what dbops analyses. PostgreSQL accepts some inputs no migration needs (block comments
 * nested 100,000 deep, DO blocks that EXECUTE DO blocks to any depth); past these bounds dbops
 * reports an `analysis-error` finding for the statement instead of spending minutes or its stack.
 */
export const LIMITS = {
  /** Block comments nested deeper than this are not handed to the parser (its lexer is quadratic in the depth). */
  commentDepth: 1000,
  /**
   * A statement whose estimated tree depth (see split.ts, nestingEstimate) is above this is not
   * parsed: printing its tree recurses in the WASM parser, which overflows the stack near 8,000
   * levels and leaves the module unusable. 5,000 keeps `SELECT 1+1+…` with 4,000 terms analysable.
   */
  treeDepth: 5000,
  /** DO blocks that EXECUTE DO blocks: nesting levels analysed. */
  doBlockDepth: 8,
};

/** Thrown by an analysis that reached one of the LIMITS; the engine turns it into one finding. */
export class AnalysisLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'AnalysisLimitError';
  }
}
