export interface Output {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

export class UsageError extends Error {}

/** Prints `value` as JSON, or as aligned `key: value` lines for people. */
export function print(out: Output, value: unknown, json: boolean): void {
  if (json) {
    out.stdout.write(`${JSON.stringify(value)}\n`);
    return;
  }
  out.stdout.write(`${human(value, '')}\n`);
}

function human(value: unknown, indent: string): string {
  if (Array.isArray(value))
    return value.map((item) => `${indent}- ${human(item, `${indent}  `).trimStart()}`).join('\n') || `${indent}(none)`;
  if (value && typeof value === 'object') {
    return Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) =>
        item && typeof item === 'object' ? `${indent}${key}:\n${human(item, `${indent}  `)}` : `${indent}${key}: ${String(item)}`,
      )
      .join('\n');
  }
  return `${indent}${String(value)}`;
}
