export { authenticateOAuthClient, type AuthenticatedOAuthClient } from './authenticate-oauth-client.js';
export {
  createOAuthRuntime,
  inspectAccessToken,
  type InspectedToken,
  type OAuthRuntime,
  type OAuthRuntimeOptions,
} from './oauth-runtime.js';
export { createSigningBatch, type SigningBatch } from './signing-batch.js';
export { rotateSigningKeys, type ActiveSigner, type RotationResult, type SigningKeyRing } from './signing-key-ring.js';
