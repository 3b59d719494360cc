import type { CredentialCache } from '../auth/credential-cache.js';
import { RekeyError } from '../kernel/errors.js';
import { isRefusedInput } from '../kernel/unholdable.js';
import type { Keyring } from '../kernel/keyring.js';
import type { Client } from '../credentials/client.js';
import type { Store } from '../kernel/store.js';
import type { ConsumerKeyMatch, Installation } from './tba-store.js';
import { tokenAad, type TbaToken } from './tba-token.js';

/** An installed record of a bundle, and its record (null when it is gone). */
export interface InstalledRecord {
  installation: Installation;
  client: Client | null;
}

/** What the OAuth 1.0a hot path needs of one consumer (a tba record that holds a consumer pair). */
export interface TbaConsumerEntry {
  consumerClientId: string;
  /** Tokens signed with this consumer pair, revoked ones included so a refusal can say `revoked`. */
  tokens: Map<string, TbaToken>;
  /** Installations of this record's bundles, with their records (the tokens of an installation name it). */
  installations: Map<string, InstalledRecord>;
  /** Decrypted token secrets, filled on first use. Process memory only. */
  tokenSecrets: Map<string, string>;
  /** Token ids looked up in the store and not found, so probing costs one read per id at most. */
  unknownTokens: Set<string>;
}

/**
 * Lookups answer from memory without a promise once warm (the hot path of SPEC §9 stays
 * synchronous up to its nonce claim); a miss returns the promise of its read. A cache that cannot
 * be trusted throws `unavailable` either way.
 */
export interface TbaCache {
  /** consumer key → the record holding it (or that held it before a reset), from memory once warm. */
  consumerKey(consumerKey: string, now: number): ConsumerKeyMatch | null | Promise<ConsumerKeyMatch | null>;
  consumer(consumerClientId: string, now: number): TbaConsumerEntry | Promise<TbaConsumerEntry>;
  /**
   * A token of this consumer. A token issued on another node moments ago may not have reached this
   * entry through the change log yet, so a miss reads the one row before refusing.
   */
  token(entry: TbaConsumerEntry, tokenId: string): TokenMatch | null | Promise<TokenMatch | null>;
  tokenSecretOf(entry: TbaConsumerEntry, token: TbaToken): string;
}

type TokenMatch = { token: TbaToken; installed: InstalledRecord | null };

const MAX_NEGATIVE_KEYS = 10_000;
const MAX_UNKNOWN_TOKENS = 1_000;

/**
 * Beside the credential cache (which holds the consumer secret versions), this cache holds
 * consumer keys and tokens. It is dropped through the same change log: every reset or token change
 * records a change for the consumer record, and the credential cache's invalidations reach here.
 */
function createTbaCache(store: Store, keyring: Keyring, credentials: CredentialCache): TbaCache {
  const keys = new Map<string, ConsumerKeyMatch | null>();
  const keysOfClient = new Map<string, Set<string>>();
  const consumers = new Map<string, TbaConsumerEntry>();
  /** Installation record id → its consumer record id: deleting an installation must drop the consumer's entry. */
  const consumerOfInstallation = new Map<string, string>();
  let negatives = 0;
  let epoch = 0;

  const dropClient = (clientId: string): void => {
    consumers.delete(clientId);
    for (const key of keysOfClient.get(clientId) ?? []) keys.delete(key);
    keysOfClient.delete(clientId);
    const consumer = consumerOfInstallation.get(clientId);
    if (consumer !== undefined) consumers.delete(consumer);
  };

  credentials.onInvalidate((clientId) => {
    epoch++;
    // A new consumer key may now exist, so forget which keys were unknown.
    for (const [key, value] of keys) if (value === null) keys.delete(key);
    negatives = 0;
    if (clientId === null) {
      keys.clear();
      keysOfClient.clear();
      consumers.clear();
      consumerOfInstallation.clear();
    } else {
      dropClient(clientId);
    }
  });

  const assertFresh = (now: number): void => {
    if (!credentials.isFresh(now)) {
      throw new RekeyError('unavailable', 'This node cannot confirm its credentials are current; try again shortly.', { retryAfter: 1 });
    }
  };

  const unavailable = (): RekeyError =>
    new RekeyError('unavailable', 'The credential store is unreachable; try again shortly.', { retryAfter: 1 });

  return {
    consumerKey(consumerKey, now) {
      const cached = keys.get(consumerKey);
      if (cached !== undefined) {
        assertFresh(now);
        return cached;
      }
      return loadConsumerKey(consumerKey, now);
    },

    consumer(consumerClientId, now) {
      const cached = consumers.get(consumerClientId);
      if (cached !== undefined) {
        assertFresh(now);
        return cached;
      }
      return loadConsumer(consumerClientId, now);
    },

    token(entry, tokenId) {
      const known = entry.tokens.get(tokenId);
      if (known !== undefined) return tokenMatch(entry, known);
      if (entry.unknownTokens.has(tokenId)) return null;
      return loadToken(entry, tokenId);
    },

    tokenSecretOf(entry, token) {
      const known = entry.tokenSecrets.get(token.id);
      if (known !== undefined) return known;
      const secret = keyring.decrypt(token.secretCiphertext, tokenAad(token));
      entry.tokenSecrets.set(token.id, secret);
      return secret;
    },
  };

  async function loadConsumerKey(consumerKey: string, now: number): Promise<ConsumerKeyMatch | null> {
    const startEpoch = epoch;
    let match: ConsumerKeyMatch | null;
    try {
      match = await store.findConsumerKey(consumerKey);
    } catch (error) {
      if (isRefusedInput(error)) throw error;
      throw unavailable();
    }
    if (epoch === startEpoch && credentials.isFresh(now)) {
      if (match === null) {
        if (negatives >= MAX_NEGATIVE_KEYS) {
          for (const [key, value] of keys) if (value === null) keys.delete(key);
          negatives = 0;
        }
        negatives++;
      } else {
        const owned = keysOfClient.get(match.clientId) ?? new Set<string>();
        owned.add(consumerKey);
        keysOfClient.set(match.clientId, owned);
      }
      keys.set(consumerKey, match);
    }
    return match;
  }

  async function loadConsumer(consumerClientId: string, now: number): Promise<TbaConsumerEntry> {
    const startEpoch = epoch;
    let entry: TbaConsumerEntry;
    try {
      const [tokens, installations] = await Promise.all([
        store.listTokensOfConsumer(consumerClientId),
        store.listInstallations(consumerClientId),
      ]);
      const installed = await Promise.all(
        installations.map(async (installation) => ({ installation, client: await store.getClient(installation.clientId) })),
      );
      entry = {
        consumerClientId,
        tokens: new Map(tokens.map((token) => [token.id, token])),
        installations: new Map(installed.map((item) => [item.installation.clientId, item])),
        tokenSecrets: new Map(),
        unknownTokens: new Set(),
      };
    } catch (error) {
      if (isRefusedInput(error)) throw error;
      throw unavailable();
    }
    if (epoch === startEpoch && credentials.isFresh(now)) {
      consumers.set(consumerClientId, entry);
      for (const installationId of entry.installations.keys()) consumerOfInstallation.set(installationId, consumerClientId);
    }
    return entry;
  }

  async function loadToken(entry: TbaConsumerEntry, tokenId: string): Promise<TokenMatch | null> {
    const startEpoch = epoch;
    let token: TbaToken | null;
    let loaded: InstalledRecord | null = null;
    try {
      token = await store.getToken(tokenId);
      if (token !== null && token.consumerClientId !== entry.consumerClientId) token = null;
      if (token !== null && token.clientId !== entry.consumerClientId && !entry.installations.has(token.clientId)) {
        const installation = await store.getInstallation(token.clientId);
        loaded = installation ? { installation, client: await store.getClient(installation.clientId) } : null;
      }
    } catch (error) {
      if (isRefusedInput(error)) throw error;
      throw unavailable();
    }
    // Only an entry still current may learn from the read; otherwise the next request reloads it.
    if (epoch === startEpoch && consumers.get(entry.consumerClientId) === entry) {
      if (token === null) {
        if (entry.unknownTokens.size >= MAX_UNKNOWN_TOKENS) entry.unknownTokens.clear();
        entry.unknownTokens.add(tokenId);
      } else {
        entry.tokens.set(token.id, token);
        if (loaded) {
          entry.installations.set(loaded.installation.clientId, loaded);
          consumerOfInstallation.set(loaded.installation.clientId, entry.consumerClientId);
        }
      }
    }
    return token === null ? null : tokenMatch(entry, token, loaded);
  }
}

/** A token with the installation it belongs to (null for the consumer's own tokens). */
function tokenMatch(entry: TbaConsumerEntry, token: TbaToken, loaded: InstalledRecord | null = null): TokenMatch {
  return {
    token,
    installed: token.clientId === entry.consumerClientId ? null : (entry.installations.get(token.clientId) ?? loaded),
  };
}

const caches = new WeakMap<CredentialCache, TbaCache>();

/** The node's tba cache, created beside its credential cache on first use. */
export function tbaCacheOf(deps: { store: Store; keyring: Keyring; credentials: CredentialCache }): TbaCache {
  let cache = caches.get(deps.credentials);
  if (!cache) {
    cache = createTbaCache(deps.store, deps.keyring, deps.credentials);
    caches.set(deps.credentials, cache);
  }
  return cache;
}
