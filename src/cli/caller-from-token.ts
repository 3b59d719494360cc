import { authenticateAdminToken } from '../core/accounts/index.js';
import { type Caller, RekeyError } from '../core/kernel/index.js';
import type { Runtime } from '../main.js';

/** The caller of an account command: the admin token from --token, else REKEY_ADMIN_TOKEN. */
export async function callerFromToken(runtime: Runtime, token: string | undefined): Promise<Caller> {
  const value = token ?? process.env.REKEY_ADMIN_TOKEN;
  if (!value) throw new RekeyError('unauthenticated', 'Pass an admin token with --token or REKEY_ADMIN_TOKEN.');
  return authenticateAdminToken(runtime.core, value);
}
