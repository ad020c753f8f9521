import { Flags } from '@oclif/core';

/**
 * A repeatable string flag that is an empty list when absent. oclif would print that default as
 * "[default: ]" in --help, so none is shown.
 */
export const listFlag = (description: string) =>
  Flags.string({ multiple: true, default: [], defaultHelp: async () => undefined, description });
