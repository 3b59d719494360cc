import { createInterface } from 'node:readline/promises';
import { UsageError } from './output.js';

/** Where a confirmation is asked: a terminal or not, and how a line is read from it. */
export interface Prompt {
  isTerminal: boolean;
  ask(question: string): Promise<string>;
}

/** stdin and stderr of this process (stdout stays for the command's output). */
export const terminalPrompt: Prompt = {
  get isTerminal() {
    return Boolean(process.stdin.isTTY && process.stderr.isTTY);
  },
  async ask(question) {
    const lines = createInterface({ input: process.stdin, output: process.stderr });
    try {
      return await lines.question(question);
    } finally {
      lines.close();
    }
  },
};

/**
 * SPEC §8: a destructive command names its target and asks on a terminal; `--yes` skips the
 * question, and without a terminal `--yes` is required (a usage error, exit 2, otherwise).
 */
export async function confirm(action: string, yes: unknown, prompt: Prompt = terminalPrompt): Promise<void> {
  if (yes === true) return;
  if (!prompt.isTerminal) throw new UsageError(`${action}: this cannot be undone. Pass --yes to confirm (there is no terminal to ask on).`);
  const answer = await prompt.ask(`${action}? This cannot be undone. Type "yes" to continue: `);
  if (!/^y(es)?$/i.test(answer.trim())) throw new UsageError('Cancelled; nothing changed.');
}
