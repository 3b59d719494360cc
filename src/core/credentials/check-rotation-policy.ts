import type { Client } from './client.js';
import { RekeyError, invalid } from '../kernel/errors.js';
import { descriptorOf } from './profiles/registry.js';
import {
  DEFAULT_ROTATION_GRACE_SECONDS,
  DEFAULT_ROTATION_WARN_DAYS,
  MAX_ROTATION_EVERY_DAYS,
  type RotationPolicy,
} from './rotation-policy.js';

/** A policy as a request states it: `warnDays` and `graceSeconds` may be left to their defaults. */
export interface RotationPolicyInput {
  everyDays: number;
  warnDays?: number;
  graceSeconds?: number;
  mode: RotationPolicy['mode'];
}

/**
 * Checks a policy against the client it is for and fills in the defaults: `auto` only for key
 * accounts (the only profile whose secret Rekey can hand to apps), never for the portal key account
 * (rotated only by registration), a grace within the account's bound.
 */
export function checkRotationPolicy(client: Client, input: RotationPolicyInput, maxGrace: number, at = ''): RotationPolicy {
  if (client.state === 'deleted') throw new RekeyError('conflict', 'This client is deleted.');
  const refusal = descriptorOf(client).refuseRotation(client.fields, 'control');
  if (refusal) {
    throw new RekeyError(refusal.code, `${refusal.message} It cannot carry a rotation policy.`, refusal.fields);
  }
  if (input.mode !== 'auto' && input.mode !== 'notify') throw invalid(`${at}/mode`, 'Must be "auto" or "notify".');
  if (input.mode === 'auto' && !descriptorOf(client).locksOut) {
    throw invalid(`${at}/mode`, `"auto" rotates key accounts (apikey clients) only; use "notify" for a ${client.profile} client.`);
  }
  const { everyDays } = input;
  if (!Number.isInteger(everyDays) || everyDays < 1 || everyDays > MAX_ROTATION_EVERY_DAYS) {
    throw invalid(`${at}/everyDays`, `Must be an integer from 1 to ${MAX_ROTATION_EVERY_DAYS}.`);
  }
  const warnDays = input.warnDays ?? Math.min(DEFAULT_ROTATION_WARN_DAYS, everyDays - 1);
  if (!Number.isInteger(warnDays) || warnDays < 0 || warnDays >= everyDays) {
    throw invalid(`${at}/warnDays`, `Must be an integer from 0 to ${everyDays - 1} (less than everyDays).`);
  }
  const graceSeconds = input.graceSeconds ?? Math.min(DEFAULT_ROTATION_GRACE_SECONDS, maxGrace);
  if (!Number.isInteger(graceSeconds) || graceSeconds < 0 || graceSeconds > maxGrace) {
    throw invalid(`${at}/graceSeconds`, `Must be an integer from 0 to ${maxGrace} (the account's longest grace).`);
  }
  return { everyDays, warnDays, graceSeconds, mode: input.mode };
}
