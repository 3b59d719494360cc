import { hash, verify } from '@node-rs/argon2';

/** argon2id parameters: OWASP's 19 MiB / 2 passes in production; light ones only when tests ask. */
const PARAMETERS =
  process.env.REKEY_TEST_LIGHT_HASHING === '1'
    ? { memoryCost: 1024, timeCost: 1, parallelism: 1 }
    : { memoryCost: 19_456, timeCost: 2, parallelism: 1 };

export async function hashPassword(password: string): Promise<string> {
  return hash(password, { ...PARAMETERS, algorithm: 2 });
}

/** Verifies a password; with no stored hash it still spends the same work, so unknown accounts cost the same. */
export async function verifyPassword(stored: string | null, password: string): Promise<boolean> {
  const target = stored ?? DUMMY_HASH ?? (DUMMY_HASH = await hashPassword('rekey-dummy-password'));
  try {
    const ok = await verify(target, password);
    return stored !== null && ok;
  } catch {
    return false;
  }
}

let DUMMY_HASH: string | undefined;
