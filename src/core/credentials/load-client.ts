import type { Client } from './client.js';
import { notFound } from '../kernel/errors.js';
import type { Store } from '../kernel/store.js';

/** A client of the caller's account, or 404 — another account's id is indistinguishable from none. */
export async function loadClient(store: Store, accountId: string, clientId: string): Promise<Client> {
  const client = await store.getClient(clientId);
  if (!client || client.accountId !== accountId) throw notFound('client', clientId);
  return client;
}
