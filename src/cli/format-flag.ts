import { Flags, type Interfaces } from '@oclif/core';
import { HUMAN_FORMAT, HUMAN_FORMAT_ALIASES, canonicalFormat } from '../output/formats';

/**
 * `--format` for a command with these formats: `text` by default; the old names of the human
 * format (`pretty`, `table`) are accepted and read as `text`, without a warning, and left out of
 * the help.
 */
export function formatFlag<F extends string>(formats: readonly F[], description = 'output format'): Interfaces.OptionFlag<F> {
  const flag = Flags.custom<string>({
    description,
    options: [...formats, ...HUMAN_FORMAT_ALIASES],
    helpValue: formats.join('|'),
    default: HUMAN_FORMAT,
    parse: async (input) => canonicalFormat(input),
  })();
  // The options and parse above let only the formats through (aliases become text).
  return flag as unknown as Interfaces.OptionFlag<F>;
}
