import { type InnerList, serializeInnerList } from 'structured-headers';

export interface SignedRequestInput {
  method: string;
  /** The full target URI as the server reconstructs it (public base URL + request target). */
  targetUri: string;
  /** Lower-case field names; repeated fields already joined with ", ". */
  headers: Record<string, string | undefined>;
  hasBody: boolean;
}

export type HttpSignatureErrorCode = 'unauthenticated' | 'invalid_request' | 'bad_signature';

export interface HttpSignatureError {
  ok: false;
  code: HttpSignatureErrorCode;
  message: string;
}

const DERIVED_COMPONENTS = new Set(['@method', '@target-uri', '@authority', '@scheme', '@path', '@query', '@request-target']);
const FIELD_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;
// RFC 3986 Appendix B.
const URI_PARTS = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#]*)([^?#]*)(?:\?([^#]*))?(?:#.*)?$/s;
// RFC 9421 §2.5: the signature base is US-ASCII; a line break would forge an extra line.
const SIGNATURE_BASE_SAFE = /^[\t\x20-\x7e]*$/;

export function signatureFailure(code: HttpSignatureErrorCode, message: string): HttpSignatureError {
  return { ok: false, code, message };
}

/** RFC 9421 §2.2: derived component values, taken from the target URI as the server sees it. */
function deriveComponent(name: string, method: string, targetUri: string): string | undefined {
  if (name === '@method') return method;
  if (name === '@target-uri') return targetUri;
  const parts = URI_PARTS.exec(targetUri);
  if (!parts) return undefined;
  const [, scheme = '', authority = '', rawPath = '', query] = parts;
  const path = rawPath === '' ? '/' : rawPath;
  switch (name) {
    case '@scheme':
      return scheme.toLowerCase();
    case '@authority': {
      // RFC 9421 §2.2.3 → RFC 9110 §4.2.3: lower-case host, default port omitted.
      const hostPort = authority.slice(authority.lastIndexOf('@') + 1).toLowerCase();
      const lowerScheme = scheme.toLowerCase();
      const defaultPort = lowerScheme === 'https' ? ':443' : lowerScheme === 'http' ? ':80' : undefined;
      return defaultPort !== undefined && hostPort.endsWith(defaultPort) ? hostPort.slice(0, -defaultPort.length) : hostPort;
    }
    case '@path':
      return path;
    case '@query':
      // §2.2.7: an absent query is the lone "?".
      return `?${query ?? ''}`;
    case '@request-target':
      return query === undefined ? path : `${path}?${query}`;
    default:
      return undefined;
  }
}

function componentValue(name: string, input: SignedRequestInput): string | undefined {
  if (name.startsWith('@')) return deriveComponent(name, input.method, input.targetUri);
  const raw = input.headers[name];
  if (raw === undefined) return undefined;
  // RFC 9421 §2.1: strip surrounding whitespace and replace obsolete line folding with a space.
  return raw.replace(/\r?\n[ \t]+/g, ' ').trim();
}

export type SignatureBaseResult = { ok: true; components: string[]; signatureBase: string } | HttpSignatureError;

/**
 * RFC 9421 §2.5, for the components this profile knows. `serialized` is the member's serialisation
 * when the caller already holds it (a field received in canonical form); otherwise it is serialised here.
 */
export function buildSignatureBase(member: InnerList, input: SignedRequestInput, serialized?: string): SignatureBaseResult {
  const components: string[] = [];
  const lines: string[] = [];
  for (const item of member[0]) {
    const name = item[0];
    if (typeof name !== 'string') return signatureFailure('invalid_request', 'A covered component is not a string.');
    // Component parameters (sf, key, bs, req, name, tr) are outside the profile.
    if (item[1].size > 0) return signatureFailure('invalid_request', `The component "${name}" has unsupported parameters.`);
    if (components.includes(name)) return signatureFailure('invalid_request', `The component "${name}" is listed twice.`);
    if (name.startsWith('@') ? !DERIVED_COMPONENTS.has(name) : !FIELD_NAME.test(name)) {
      return signatureFailure('invalid_request', `The component "${name}" is not supported.`);
    }
    const value = componentValue(name, input);
    if (value === undefined) return signatureFailure('invalid_request', `The covered component "${name}" is absent.`);
    if (!SIGNATURE_BASE_SAFE.test(value)) {
      return signatureFailure('invalid_request', `The covered component "${name}" holds characters a signature base cannot.`);
    }
    components.push(name);
    // The name passed the checks above (a known derived component or a field name: no `"` or `\`),
    // so its sf-string is the name in quotes.
    lines.push(`"${name}": ${value}`);
  }
  // §2.3: the signature parameters line is the serialised inner list.
  lines.push(`"@signature-params": ${serialized ?? serializeInnerList(member)}`);
  return { ok: true, components, signatureBase: lines.join('\n') };
}
