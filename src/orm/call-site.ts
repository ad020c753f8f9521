/**
 * The line of the migration file that made the current call, read from the stack (V8 keeps the
 * awaiting frames of async functions). Transpiled TypeScript is mapped back through its source map.
 */
export function callSiteReader(file: string, mapLine: (generatedLine: number, column: number) => number | undefined): () => number | undefined {
  return () => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 100;
    const stack = new Error().stack ?? '';
    Error.stackTraceLimit = limit;
    for (const frame of stack.split('\n')) {
      const at = frame.lastIndexOf(`${file}:`);
      if (at < 0) continue;
      const match = /^:(\d+):(\d+)/.exec(frame.slice(at + file.length));
      if (match) return mapLine(Number(match[1]), Number(match[2]));
    }
    return undefined;
  };
}
