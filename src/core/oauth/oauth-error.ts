/** RFC 6749 §5.2, RFC 7009 §2.2.1 and the server-side codes the /oauth/* endpoints answer with. */
export const OAUTH_ERROR_CODES = [
  'invalid_request',
  'invalid_client',
  'invalid_grant',
  'unauthorized_client',
  'unsupported_grant_type',
  'invalid_scope',
  'unsupported_token_type',
  'server_error',
  'temporarily_unavailable',
] as const;

export type OAuthErrorCode = (typeof OAUTH_ERROR_CODES)[number];

const STATUS: Partial<Record<OAuthErrorCode, number>> = { invalid_client: 401, server_error: 500, temporarily_unavailable: 503 };

/** The challenge sent with every 401: the endpoints take client_secret_basic (and client_secret_post). */
export const CLIENT_CHALLENGE = 'Basic realm="rekey", charset="UTF-8"';

/** An error as the OAuth endpoints answer it: `{"error", "error_description"}`, never a problem document. */
export class OAuthError extends Error {
  readonly error: OAuthErrorCode;
  readonly status: number;

  constructor(error: OAuthErrorCode, description: string, options: { status?: number } = {}) {
    super(description);
    this.name = 'OAuthError';
    this.error = error;
    this.status = options.status ?? STATUS[error] ?? 400;
  }

  body(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.error, error_description: this.message };
  }
}
