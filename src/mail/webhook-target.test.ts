import { describe, expect, it } from 'vitest';
import { isForbiddenAddress, parseWebhookAllowList, resolveWebhookTarget, WebhookTargetRefused, type Resolver } from './webhook-target.js';

const answers =
  (...addresses: string[]): Resolver =>
  async () =>
    addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));

describe('webhook SSRF guard', () => {
  it('refuses loopback, private, link-local and other non-public addresses', () => {
    for (const address of [
      '127.0.0.1',
      '127.255.0.9',
      '10.0.0.1',
      '172.16.5.4',
      '172.31.255.255',
      '192.168.1.1',
      '169.254.169.254',
      '100.64.0.1',
      '0.0.0.0',
      '224.0.0.1',
      '255.255.255.255',
      '::1',
      '::',
      'fe80::1',
      'fd00::1',
      'fc12::3',
      'ff02::1',
      '::ffff:127.0.0.1',
      '::ffff:7f00:1',
      '0:0:0:0:0:ffff:a00:1',
    ]) {
      expect(isForbiddenAddress(address), address).toBe(true);
    }
    for (const address of ['93.184.216.34', '8.8.8.8', '172.32.0.1', '2606:4700::1111', '::ffff:8.8.8.8']) {
      expect(isForbiddenAddress(address), address).toBe(false);
    }
  });

  it('refuses IPv6 wrappings of private IPv4 and other special ranges; only unicast passes (issue 14, finding 5)', async () => {
    for (const address of [
      '64:ff9b::a9fe:a9fe', // NAT64 of 169.254.169.254
      '2002:a9fe:a9fe::', // 6to4 of 169.254.169.254
      '::7f00:1', // IPv4-compatible 127.0.0.1
      '::ffff:0:7f00:1', // IPv4-translated 127.0.0.1
      'fec0::1', // site-local
      '2001::1', // Teredo
      '2001:db8::1', // documentation
      '100::1', // discard
      '192.0.2.1', // documentation
      '198.51.100.7',
    ]) {
      expect(isForbiddenAddress(address), address).toBe(true);
      await expect(
        resolveWebhookTarget(`https://[${address}]/hook`.replace(/\[(\d+\.\d+\.\d+\.\d+)\]/, '$1'), parseWebhookAllowList([])),
      ).rejects.toThrow(WebhookTargetRefused);
    }
    for (const address of ['2606:4700::1111', '2a00:1450:4001::200e', '1.1.1.1']) expect(isForbiddenAddress(address), address).toBe(false);
  });

  it('checks every address a name resolves to, and connects to a checked one', async () => {
    const none = parseWebhookAllowList([]);
    await expect(resolveWebhookTarget('https://hooks.example.test/x', none, answers('93.184.216.34', '10.0.0.5'))).rejects.toBeInstanceOf(
      WebhookTargetRefused,
    );
    const target = await resolveWebhookTarget('https://hooks.example.test/x', none, answers('93.184.216.34'));
    expect(target).toMatchObject({ hostname: 'hooks.example.test', address: '93.184.216.34', family: 4 });
    await expect(resolveWebhookTarget('http://127.0.0.1:8080/x', none)).rejects.toThrow(/REKEY_WEBHOOK_ALLOW/);
    await expect(resolveWebhookTarget('http://[::ffff:127.0.0.1]/x', none)).rejects.toBeInstanceOf(WebhookTargetRefused);
    await expect(resolveWebhookTarget('file:///etc/passwd', none)).rejects.toBeInstanceOf(WebhookTargetRefused);
  });

  it('lets REKEY_WEBHOOK_ALLOW name hosts, addresses and ranges', async () => {
    const allow = parseWebhookAllowList(['127.0.0.1', '10.1.0.0/16', 'Hooks.Internal.test', '[::1]']);
    expect((await resolveWebhookTarget('http://127.0.0.1:9/x', allow)).address).toBe('127.0.0.1');
    expect((await resolveWebhookTarget('http://[::1]:9/x', allow)).address).toBe('::1');
    expect((await resolveWebhookTarget('http://10.1.200.3/x', allow)).address).toBe('10.1.200.3');
    await expect(resolveWebhookTarget('http://10.2.0.1/x', allow)).rejects.toBeInstanceOf(WebhookTargetRefused);
    expect((await resolveWebhookTarget('http://hooks.internal.test/x', allow, answers('192.168.7.7'))).address).toBe('192.168.7.7');
    expect(() => parseWebhookAllowList(['10.0.0.0/99'])).toThrow(/CIDR/);
  });

  it('passes DNS failures through as transient errors', async () => {
    const failing: Resolver = async () => {
      throw new Error('getaddrinfo ENOTFOUND hooks.example.test');
    };
    const error = await resolveWebhookTarget('https://hooks.example.test/x', parseWebhookAllowList([]), failing).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error).not.toBeInstanceOf(WebhookTargetRefused);
  });
});
