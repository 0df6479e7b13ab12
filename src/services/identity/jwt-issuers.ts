import { decodeJwt } from 'jose';
import { fail } from '../../domain/errors.js';
import type { Principal } from '../../domain/principal.js';
import type { ExternalOidcService } from './external-oidc.service.js';
import type { OidcService } from './oidc.service.js';

/**
 * Which check a Bearer JWT gets: the unverified `iss` only picks the
 * verifier (Nimbus's own provider, the trusted external one, or none),
 * which then checks everything, `iss` included.
 */
export function jwtVerifierFor(own: OidcService | null, external: ExternalOidcService | null): (token: string) => Promise<Principal> {
  return async (token) => {
    let iss: unknown;
    try {
      iss = decodeJwt(token).iss;
    } catch {
      return fail('unauthenticated', 'Unauthorised');
    }
    if (external?.claimsIssuer(iss)) return external.verifyAccessToken(token);
    if (own) return own.verifyAccessToken(token);
    return fail('unauthenticated', 'Unauthorised');
  };
}
