import { describe, expect, it } from 'vitest';
import { sourceOf } from './source-of.js';

describe('sourceOf', () => {
  it('keeps IPv4 addresses, unwraps IPv4-mapped ones and groups IPv6 by /64', () => {
    expect(sourceOf('127.0.0.2')).toBe('127.0.0.2');
    expect(sourceOf('::ffff:127.0.0.2')).toBe('127.0.0.2');
    expect(sourceOf('2001:db8:1:2:3:4:5:6')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:db8:1:2::9')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:0db8:0001:0002:ffff::1')).toBe('2001:db8:1:2::/64');
    expect(sourceOf('2001:db8:1:3::1')).toBe('2001:db8:1:3::/64');
    expect(sourceOf('::1')).toBe('::/64');
    expect(sourceOf('not:an:address')).toBe('not:an:address');
  });
});
