/**
 * Walking a parser tree without recursion. Trees follow the SQL: `SELECT 1+1+…` with 4,000 terms
 * is 8,000 objects deep, and a recursive walk over it overflows the JavaScript stack, so every
 * walk over a syntax tree goes through here (an explicit stack on the heap).
 */

/* eslint-disable @typescript-eslint/no-explicit-any */
type AnyNode = any;

/**
 * What the visitor says about a node: 'skip' does not look inside it; anything else goes on
 * into its properties and array items.
 */
export type VisitResult = 'skip' | void;

/**
 * Calls visit(key, value) for every object or array below root (key is the property name that
 * holds it, '' for array items and the root), in the order a recursive depth-first walk would:
 * parents before children, properties and items in their order.
 */
export function walkTree(root: unknown, visit: (key: string, value: AnyNode) => VisitResult): void {
  if (!root || typeof root !== 'object') return;
  const keys: string[] = [''];
  const values: AnyNode[] = [root];
  while (values.length > 0) {
    const value = values.pop();
    const key = keys.pop()!;
    if (visit(key, value) === 'skip') continue;
    if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) {
        const item = value[i];
        if (item && typeof item === 'object') {
          keys.push('');
          values.push(item);
        }
      }
      continue;
    }
    const from = values.length;
    for (const k in value) {
      const child = value[k];
      if (child && typeof child === 'object') {
        keys.push(k);
        values.push(child);
      }
    }
    // Pushed in property order; reversed so they are popped in property order.
    reverseTail(keys, from);
    reverseTail(values, from);
  }
}

function reverseTail(list: unknown[], from: number): void {
  for (let i = from, j = list.length - 1; i < j; i++, j--) [list[i], list[j]] = [list[j], list[i]];
}
