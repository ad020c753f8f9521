import { Flags, type Interfaces } from '@oclif/core';
import type { FlagSpec } from './fast-path';

/**
 * oclif flags from the plain flag specs shared with the start-up fast path (fast-path.ts), so a
 * flag is described once: the help and full parser of oclif, and the fast path, read the same spec.
 */
export function oclifFlags(specs: Record<string, FlagSpec>): Interfaces.FlagInput {
  return Object.fromEntries(Object.entries(specs).map(([name, spec]) => [name, oclifFlag(spec)])) as Interfaces.FlagInput;
}

function oclifFlag(spec: FlagSpec) {
  const common = { description: spec.description, helpGroup: spec.helpGroup, required: spec.required, exclusive: spec.exclusive as string[] | undefined };
  switch (spec.type) {
    case 'boolean':
      return Flags.boolean({ ...common, default: spec.default as boolean | undefined });
    case 'integer':
      return Flags.integer({ ...common, default: spec.default as number | undefined, min: spec.min });
    case 'option':
      return Flags.string({
        ...common,
        char: spec.char as 'f' | undefined,
        options: spec.options as string[] | undefined,
        helpValue: spec.helpValue,
        default: spec.default as string | undefined,
        multiple: spec.multiple as false,
      });
  }
}
