import { escapeIdentifier, escapeLiteral } from './pg';

/** Quotes an identifier, or a dotted schema.name pair given as separate parts. */
export function quoteIdent(...parts: string[]): string {
  return parts.map((p) => escapeIdentifier(p)).join('.');
}

export { escapeLiteral as quoteLiteral };
