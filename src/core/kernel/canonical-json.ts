/**
 * RFC 8785 JSON Canonicalization Scheme for the values Rekey hashes (audit events): object members
 * sorted by their names' UTF-16 code units, no whitespace, strings and numbers serialised as
 * ECMAScript's JSON.stringify does (which is what RFC 8785 §3.2.2 specifies). Proven against the
 * RFC's examples and a published implementation in canonical-json.test.ts.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new TypeError('RFC 8785 has no form for NaN or Infinity.');
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item === undefined ? null : item)).join(',')}]`;
  if (typeof value === 'object') {
    const members: string[] = [];
    // The default sort compares UTF-16 code units, as RFC 8785 §3.2.3 requires.
    for (const name of Object.keys(value).sort()) {
      const member = (value as Record<string, unknown>)[name];
      if (member === undefined) continue;
      members.push(`${JSON.stringify(name)}:${canonicalJson(member)}`);
    }
    return `{${members.join(',')}}`;
  }
  throw new TypeError(`RFC 8785 has no form for a ${typeof value}.`);
}
