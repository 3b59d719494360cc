import { RekeyError } from '../core/kernel/index.js';
import { listRotationRuns, setRotationPolicy } from '../core/rotation/index.js';
import type { Runtime } from '../main.js';
import { callerFromToken } from './caller-from-token.js';
import { EXIT } from './exit-codes.js';
import { UsageError, print, type Output } from './output.js';
import { parseOptions } from './parse-options.js';

const POLICY_USAGE =
  'Usage: rekey clients rotation-policy <clientId> --every-days N --mode auto|notify [--warn-days N] [--grace-seconds N] | rekey clients rotation-policy <clientId> --clear';

const count = (value: unknown, name: string): number | undefined => {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value)) throw new UsageError(`--${name} must be a non-negative integer.`);
  return Number(value);
};

/** A refused field is named by its flag (`/graceSeconds` → `--grace-seconds`), as people typed it. */
function namingTheFlag(error: unknown): never {
  const pointer = error instanceof RekeyError ? error.fields.errors?.[0]?.pointer : undefined;
  if (error instanceof RekeyError && error.code === 'invalid_request' && pointer) {
    throw new UsageError(`--${pointer.slice(1).replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}: ${error.message}`);
  }
  throw error;
}

/** `rekey clients rotation-policy …` and `rekey clients rotations …` (SPEC §12): the same core commands the API runs. */
export async function rotationCommands(args: string[], runtime: Runtime, out: Output, json: boolean): Promise<number> {
  const { values, positionals } = parseOptions(args, {
    token: { type: 'string' },
    'every-days': { type: 'string' },
    'warn-days': { type: 'string' },
    'grace-seconds': { type: 'string' },
    mode: { type: 'string' },
    clear: { type: 'boolean' },
    limit: { type: 'string' },
    cursor: { type: 'string' },
  });
  const [action, ...ids] = positionals;
  if (action === 'rotations') {
    if (ids.length !== 1) throw new UsageError('Usage: rekey clients rotations <clientId> [--limit N] [--cursor C]');
    const limit = count(values.limit, 'limit') ?? 50;
    if (limit < 1 || limit > 200) throw new UsageError('--limit is between 1 and 200.');
    const caller = await callerFromToken(runtime, values.token as string | undefined);
    const page = await listRotationRuns(runtime.core, caller, ids[0]!, {
      limit,
      ...(values.cursor ? { cursor: values.cursor as string } : {}),
    });
    print(out, json ? page : page.items, json);
    return EXIT.ok;
  }
  if (ids.length !== 1) throw new UsageError(POLICY_USAGE);
  const everyDays = count(values['every-days'], 'every-days');
  if (values.clear) {
    if (everyDays !== undefined || values.mode !== undefined) throw new UsageError('--clear takes no other policy option.');
  } else {
    if (everyDays === undefined || (values.mode !== 'auto' && values.mode !== 'notify')) throw new UsageError(POLICY_USAGE);
  }
  const warnDays = count(values['warn-days'], 'warn-days');
  const graceSeconds = count(values['grace-seconds'], 'grace-seconds');
  const caller = await callerFromToken(runtime, values.token as string | undefined);
  const view = await setRotationPolicy(
    runtime.core,
    caller,
    ids[0]!,
    values.clear
      ? null
      : {
          everyDays: everyDays!,
          mode: values.mode as 'auto' | 'notify',
          ...(warnDays !== undefined ? { warnDays } : {}),
          ...(graceSeconds !== undefined ? { graceSeconds } : {}),
        },
  ).catch(namingTheFlag);
  const { rotationPolicy, rotationDueAt, rotationDue } = view;
  print(out, { clientId: view.id, rotationPolicy, ...(rotationDueAt ? { rotationDueAt, rotationDue } : {}) }, json);
  return EXIT.ok;
}
