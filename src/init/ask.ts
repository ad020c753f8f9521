/**
 * A yes/no question on the terminal; without one (CI, a pipe) nobody can say yes, so the answer
 * is no: dbops init never replaces a file unasked.
 */
export async function askOnTerminal(question: string): Promise<boolean> {
  if (!process.stdin.isTTY) {
    process.stderr.write(`${question} no (not a terminal: nothing is replaced)\n`);
    return false;
  }
  const readline = require('node:readline') as typeof import('node:readline');
  const rl = readline.createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((resolve) => rl.question(`${question} [y/N] `, resolve));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}
