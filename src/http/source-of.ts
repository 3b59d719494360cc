import ipaddr from 'ipaddr.js';

/**
 * The source an address belongs to for lockout (SPEC §4.5): an IPv4 address as it is (an
 * IPv4-mapped IPv6 address counts as its IPv4 address), an IPv6 address as its /64, written
 * `2001:db8:1:2::/64` — one host usually holds a whole /64, so counting single IPv6 addresses would
 * let one attacker spread over endless sources. Anything unparsable stands for itself.
 */
export function sourceOf(address: string): string {
  // Node reports IPv4 peers in dotted form: no parse on the hot path.
  if (!address.includes(':')) return address;
  if (!ipaddr.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === 'ipv4') return parsed.toString();
  const parts = (parsed as ipaddr.IPv6).parts;
  return `${new ipaddr.IPv6([parts[0]!, parts[1]!, parts[2]!, parts[3]!, 0, 0, 0, 0]).toString()}/64`;
}
