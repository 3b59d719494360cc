import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { requirePermission } from '../../core/accounts/index.js';
import { isUnholdable, RekeyError, invalid } from '../../core/kernel/index.js';
import { admitLeakReport, MAX_LEAK_REPORT_ITEMS, reportLeaks, type LeakReporter } from '../../core/leaks/index.js';
import { REPORT_KEY_ID_HEADER, REPORT_SIGNATURE_HEADER, verifyReportSignature } from '../../protocols/secret-scanning-report.js';
import type { AppDeps } from '../app-deps.js';
import { authenticateControl, cookieOf, SESSION_COOKIE } from '../authenticate-control.js';

const Match = Type.Object(
  {
    token: Type.String({ maxLength: 1000, description: 'The string found.' }),
    type: Type.Optional(Type.String({ maxLength: 200, description: "The scanner's name for the secret type (informational)." })),
    url: Type.Optional(Type.String({ maxLength: 4096, description: 'Where it was found.' })),
    source: Type.Optional(Type.String({ maxLength: 200, description: 'What kind of place: `content`, `commit`, `npm`, …' })),
  },
  { additionalProperties: false },
);
const Report = Type.Array(Match, { maxItems: MAX_LEAK_REPORT_ITEMS });
type ReportBody = Static<typeof Report>;

const Verdicts = Type.Array(
  Type.Object({
    token_hash: Type.String({ description: 'Hex SHA-256 of the reported token.' }),
    token_type: Type.String({ description: 'The reported `type` (or Rekey’s name for the prefix when none was sent).' }),
    label: Type.Union([Type.Literal('true_positive'), Type.Literal('false_positive')]),
  }),
  { description: 'One answer per reported match, in order. It tells the label and nothing else.' },
);

const DESCRIPTION = `Leaked-secret reports in the GitHub secret-scanning partner format (SPEC §12). Authenticated by an ECDSA P-256 / SHA-256 signature over the raw body from a reporter key the operator configured (\`REKEY_LEAK_REPORTER_KEYS_FILE\`): \`Github-Public-Key-Identifier\` names the key, \`Github-Public-Key-Signature\` carries the base64 DER signature. Alternatively an admin token (or console session) with \`credentials.manage\` reports its own account's credentials; anything else it reports is answered \`false_positive\` and nothing changes. A credential that still works is revoked at once on every node, its account notified (mail and webhook \`secret.leaked\` naming the URL) and the event audited; one already retired, revoked or expired is only recorded (\`true_positive\`); anything else is \`false_positive\`. At most ${MAX_LEAK_REPORT_ITEMS} matches per report; reports are rate-limited per reporter (429).`;

/** Who sent the report, once its signature or token checked out (kept beside the request, never in it). */
const reporters = new WeakMap<FastifyRequest, LeakReporter>();

function singleHeader(request: FastifyRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(', ') : value;
}

export function registerLeakRoutes(app: FastifyInstance, deps: AppDeps): void {
  const keys = deps.config.leakReporterKeys;

  /** The signature is checked over the raw bytes before anything parses them. */
  const authenticateReporter = async (request: FastifyRequest): Promise<LeakReporter> => {
    const keyId = singleHeader(request, REPORT_KEY_ID_HEADER);
    const signature = singleHeader(request, REPORT_SIGNATURE_HEADER);
    if (keyId !== undefined || signature !== undefined) {
      if (keyId === undefined || signature === undefined)
        throw new RekeyError(
          'unauthenticated',
          'A signed report carries both Github-Public-Key-Identifier and Github-Public-Key-Signature.',
        );
      const verdict = verifyReportSignature(keys, keyId, signature, request.rawBody ?? Buffer.alloc(0));
      if (verdict === 'unknown_key') throw new RekeyError('bad_signature', 'No reporter key with that identifier is configured.');
      if (verdict === 'bad_signature')
        throw new RekeyError('bad_signature', 'The signature does not verify over the request body with that reporter key.');
      return { type: 'reporter_key', keyId };
    }
    if (request.headers.authorization !== undefined || cookieOf(request, SESSION_COOKIE) !== undefined) {
      const caller = await authenticateControl(deps, request);
      await requirePermission(deps.core, caller, 'credentials.manage', 'report leaked secrets');
      return { type: 'member', caller };
    }
    throw new RekeyError(
      'unauthenticated',
      'Sign the report with a configured reporter key (Github-Public-Key-Identifier, Github-Public-Key-Signature), or send an admin token with credentials.manage.',
    );
  };

  app.post<{ Body: ReportBody }>(
    '/v1/leaks',
    {
      schema: {
        tags: ['leaks'],
        summary: 'Report leaked secrets (GitHub secret-scanning partner format); live ones are revoked at once',
        description: DESCRIPTION,
        body: Report,
        response: { 200: Verdicts },
        security: [{ leakReporter: [] }, { adminToken: [] }],
      },
      config: { auth: 'none', accepts: 'raw', realm: 'leaks', scope: 'leaks.report', problems: ['forbidden'] },
      preValidation: async (request) => {
        const reporter = await authenticateReporter(request);
        await admitLeakReport(deps.core, reporter);
        request.body = parseReport(request.rawBody) as ReportBody;
        reporters.set(request, reporter);
      },
    },
    async (request, reply) => {
      const reporter = reporters.get(request)!;
      const verdicts = await reportLeaks(deps.core, reporter, request.body);
      request.log.info(
        {
          reporter: reporter.type === 'reporter_key' ? `key:${reporter.keyId}` : `admin_token:${reporter.caller.actor.id}`,
          matches: verdicts.length,
          truePositives: verdicts.filter((verdict) => verdict.label === 'true_positive').length,
        },
        'leaked-secret report',
      );
      return reply.header('cache-control', 'no-store').send(verdicts);
    },
  );
}

/** The body, read only after its signature verified; the route schema then checks its shape. */
function parseReport(raw: Buffer | undefined): unknown {
  if (raw === undefined || raw.length === 0) throw invalid('', 'The report must be a JSON array of {"token", "type", "url", "source"}.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch {
    throw new RekeyError('invalid_request', 'The request body is not valid JSON.');
  }
  if (Array.isArray(parsed)) {
    parsed.forEach((match: unknown, index) => {
      if (match === null || typeof match !== 'object') return;
      for (const [field, value] of Object.entries(match)) {
        if (isUnholdable(value)) throw invalid(`/${index}/${field}`, 'Holds a NUL character or an unpaired surrogate.');
      }
    });
  }
  return parsed;
}
