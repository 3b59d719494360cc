import { describe, expect, it } from 'vitest';
import { confirm, type Prompt } from './confirm.js';
import { UsageError } from './output.js';

const terminal = (answer: string, asked: string[] = []): Prompt => ({
  isTerminal: true,
  ask: async (question) => {
    asked.push(question);
    return answer;
  },
});

describe('confirm', () => {
  it('asks on a terminal, naming the target, and goes on after "yes"', async () => {
    const asked: string[] = [];
    await confirm('Delete client cli_1', undefined, terminal('yes', asked));
    expect(asked).toEqual([expect.stringContaining('Delete client cli_1?')]);
  });

  it('stops with a usage error on any other answer', async () => {
    await expect(confirm('Delete client cli_1', undefined, terminal('no'))).rejects.toThrow(UsageError);
    await expect(confirm('Delete client cli_1', undefined, terminal(''))).rejects.toThrow('Cancelled');
  });

  it('--yes skips the question', async () => {
    const asked: string[] = [];
    await confirm('Delete client cli_1', true, terminal('no', asked));
    expect(asked).toEqual([]);
  });

  it('without a terminal it needs --yes', async () => {
    const pipe: Prompt = { isTerminal: false, ask: () => Promise.reject(new Error('never asked')) };
    await expect(confirm('Delete client cli_1', undefined, pipe)).rejects.toThrow(/Delete client cli_1.*--yes/);
  });
});
