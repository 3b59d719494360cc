import type { RotationPolicyView } from '../api/types';
import { plural } from './format';

/** The units the console offers for a grace period, largest first. */
export const GRACE_UNITS = [
  { seconds: 86_400, one: 'day', label: 'days' },
  { seconds: 3600, one: 'hour', label: 'hours' },
  { seconds: 60, one: 'minute', label: 'minutes' },
] as const;

export type GraceUnitSeconds = (typeof GRACE_UNITS)[number]['seconds'];

/** A number of seconds in the largest unit that divides it: 86 400 → 1 day, 5400 → 90 minutes. */
export function splitGrace(seconds: number): { amount: number; unitSeconds: GraceUnitSeconds } {
  const unit = GRACE_UNITS.find((candidate) => seconds % candidate.seconds === 0) ?? GRACE_UNITS[2];
  return { amount: seconds / unit.seconds, unitSeconds: unit.seconds };
}

/** "1 day", "12 hours", "90 minutes"; "none" for 0. */
export function graceInWords(seconds: number): string {
  if (seconds === 0) return 'none';
  if (seconds % 60 !== 0) return plural(seconds, 'second');
  const { amount, unitSeconds } = splitGrace(seconds);
  const unit = GRACE_UNITS.find((candidate) => candidate.seconds === unitSeconds) ?? GRACE_UNITS[0];
  return plural(amount, unit.one);
}

/** "Every 90 days, automatically, 1 day grace; warns 7 days before". */
export function describeRotationPolicy(policy: RotationPolicyView): string {
  const how =
    policy.mode === 'auto'
      ? `automatically, ${policy.graceSeconds === 0 ? 'no grace' : `${graceInWords(policy.graceSeconds)} grace`}`
      : 'by telling the administrators';
  const warning = policy.warnDays > 0 ? `warns ${plural(policy.warnDays, 'day')} before` : 'no warning before the due date';
  return `Every ${plural(policy.everyDays, 'day')}, ${how}; ${warning}`;
}

/** "in 3 days", "in 5 hours", "2 days ago": how far a due date is from now. */
export function relativeDue(iso: string, now: number): string {
  const seconds = Math.round((Date.parse(iso) - now) / 1000);
  const size = Math.abs(seconds);
  const words =
    size >= 86_400
      ? plural(Math.round(size / 86_400), 'day')
      : size >= 3600
        ? plural(Math.round(size / 3600), 'hour')
        : 'less than an hour';
  return seconds >= 0 ? `in ${words}` : `${words} ago`;
}
