/** The claims SPEC §5 pins (RFC 9068 names; `rk_ver` is the secret version the client authenticated with). */
export interface AccessTokenClaims {
  iss: string;
  sub: string;
  aud: string;
  client_id: string;
  scope: string;
  jti: string;
  iat: number;
  exp: number;
  rk_ver: string;
}
