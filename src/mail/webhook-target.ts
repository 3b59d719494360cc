import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * The SSRF guard for webhooks (SPEC §10): a target that resolves to a loopback, private, link-local
 * or otherwise non-public address is refused unless REKEY_WEBHOOK_ALLOW names it. Every address a
 * name resolves to is checked (an attacker may publish a public and a private one), and the
 * connection then goes to the checked address, so a second DNS answer cannot redirect it.
 */
export class WebhookTargetRefused extends Error {
  override readonly name = 'WebhookTargetRefused';
}

const FORBIDDEN = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local (cloud metadata services live here)
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
] as const)
  FORBIDDEN.addSubnet(network, prefix, 'ipv4');
for (const [network, prefix] of [
  ['::', 128], // unspecified
  ['::1', 128], // loopback
  ['fc00::', 7], // unique local
  ['fe80::', 10], // link-local
  ['ff00::', 8], // multicast
] as const)
  FORBIDDEN.addSubnet(network, prefix, 'ipv6');

/** IPv4-mapped IPv6 (`::ffff:127.0.0.1`) is judged as the IPv4 address it carries. */
function normalize(address: string): { address: string; family: 'ipv4' | 'ipv6' } {
  const dotted = /^(?:0{0,4}:){0,5}:?ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  if (dotted) return { address: dotted[1]!, family: 'ipv4' };
  // The URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1.
  const hex = /^(?:0{0,4}:){0,5}:?ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(address);
  if (hex) {
    const high = parseInt(hex[1]!, 16);
    const low = parseInt(hex[2]!, 16);
    return { address: [high >> 8, high & 255, low >> 8, low & 255].join('.'), family: 'ipv4' };
  }
  return { address, family: isIP(address) === 6 ? 'ipv6' : 'ipv4' };
}

/**
 * Only plain unicast is a target: ipaddr.js classifies the special ranges a hand-written list
 * misses — NAT64 (64:ff9b::/96) and 6to4 (2002::/16) wrappings of private IPv4, IPv4-translated
 * (::ffff:0:0:0/96), site-local (fec0::/10), Teredo, documentation. IPv6 must also lie in global
 * unicast (2000::/3), which rules out IPv4-compatible addresses (`::7f00:1`) that ipaddr.js calls
 * unicast. The block list above stays as a second opinion.
 */
export function isForbiddenAddress(address: string): boolean {
  const { address: plain, family } = normalize(address);
  if (FORBIDDEN.check(plain, family)) return true;
  if (!ipaddr.isValid(address)) return true;
  const parsed = ipaddr.process(address);
  if (parsed.range() !== 'unicast') return true;
  return parsed.kind() === 'ipv6' && !(parsed as ipaddr.IPv6).match(GLOBAL_UNICAST);
}

const GLOBAL_UNICAST = ipaddr.parseCIDR('2000::/3');

export interface WebhookAllowList {
  hosts: ReadonlySet<string>;
  addresses: BlockList;
}

/** REKEY_WEBHOOK_ALLOW: comma-separated host names, IP addresses and CIDR ranges. */
export function parseWebhookAllowList(entries: readonly string[]): WebhookAllowList {
  const hosts = new Set<string>();
  const addresses = new BlockList();
  for (const raw of entries) {
    const entry = raw
      .trim()
      .replace(/^\[(.*)\]$/, '$1')
      .toLowerCase();
    if (entry === '') continue;
    const slash = entry.indexOf('/');
    if (slash !== -1) {
      const network = entry.slice(0, slash);
      const prefix = Number(entry.slice(slash + 1));
      const family = isIP(network);
      if (family === 0 || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 4 ? 32 : 128)) {
        throw new Error(`REKEY_WEBHOOK_ALLOW: "${raw}" is not a CIDR range.`);
      }
      addresses.addSubnet(network, prefix, family === 4 ? 'ipv4' : 'ipv6');
    } else if (isIP(entry) !== 0) {
      const { address, family } = normalize(entry);
      addresses.addAddress(address, family);
    } else {
      hosts.add(entry);
    }
  }
  return { hosts, addresses };
}

function isAllowed(allow: WebhookAllowList, hostname: string, address: string): boolean {
  if (allow.hosts.has(hostname)) return true;
  const { address: plain, family } = normalize(address);
  return allow.addresses.check(plain, family);
}

export interface ResolvedTarget {
  url: URL;
  hostname: string;
  address: string;
  family: 4 | 6;
}

export type Resolver = (hostname: string) => Promise<Array<{ address: string; family: number }>>;

const systemResolver: Resolver = (hostname) => lookup(hostname, { all: true, verbatim: true });

/**
 * Resolves a webhook URL and checks every address. Throws WebhookTargetRefused for a forbidden
 * target (permanent), and passes DNS errors through (they may be transient).
 */
export async function resolveWebhookTarget(
  url: string,
  allow: WebhookAllowList,
  resolver: Resolver = systemResolver,
): Promise<ResolvedTarget> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new WebhookTargetRefused('The webhook URL is not an absolute URL.');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new WebhookTargetRefused('Webhook URLs use http or https.');
  const hostname = parsed.hostname.replace(/^\[(.*)\]$/, '$1').toLowerCase();
  const literal = isIP(hostname);
  const answers = literal !== 0 ? [{ address: hostname, family: literal }] : await resolver(hostname);
  if (answers.length === 0) throw new Error(`${hostname} does not resolve.`);
  for (const answer of answers) {
    if (isForbiddenAddress(answer.address) && !isAllowed(allow, hostname, answer.address)) {
      throw new WebhookTargetRefused(
        `The webhook target ${hostname} resolves to ${answer.address}, a loopback, private or link-local address; ` +
          'such targets are refused unless REKEY_WEBHOOK_ALLOW names them.',
      );
    }
  }
  const first = answers[0]!;
  return { url: parsed, hostname, address: first.address, family: first.family === 6 ? 6 : 4 };
}
