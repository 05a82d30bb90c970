// Verification of Supabase access tokens (JWTs) with jose. Two signing schemes, as on Supabase:
// HS256 with the project's JWT secret (the legacy scheme and the local default), and asymmetric keys
// published as a JWKS (hosted Supabase's signing keys). The token's `alg` picks the scheme; each is
// accepted only when configured. Signature and `exp` are always checked.
import { createRemoteJWKSet, decodeProtectedHeader, errors, jwtVerify, type JWTPayload } from "jose";
import { apiLimits } from "./limits.ts";

export interface AccessTokenConfig {
  /** The project's JWT secret, for HS256 tokens. */
  jwtSecret?: string;
  /** Where the project's public signing keys are published, for ES256/RS256 tokens. */
  jwksUrl?: string;
  /** When set, user tokens must carry exactly this `iss` (Supabase Auth: <project URL>/auth/v1). */
  issuer?: string;
}

/** Who is calling: the service role (any workspace) or a signed-in user. */
export type Principal =
  | { kind: "service" }
  | { kind: "user"; userId: string; email: string | null; claims: JWTPayload };

/** The token is missing, malformed, badly signed, expired or not meant for this API. */
export class AccessTokenRejected extends Error {}

const asymmetricAlgorithms = ["ES256", "RS256", "EdDSA"];
const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type AccessTokenVerifier = (token: string) => Promise<Principal>;

export function createAccessTokenVerifier(config: AccessTokenConfig): AccessTokenVerifier {
  if (!config.jwtSecret && !config.jwksUrl) {
    throw new Error("access token verification needs a JWT secret or a JWKS URL");
  }
  const secret = config.jwtSecret ? new TextEncoder().encode(config.jwtSecret) : undefined;
  const jwks = config.jwksUrl
    ? createRemoteJWKSet(new URL(config.jwksUrl), { cacheMaxAge: apiLimits.jwks_cache_seconds * 1000 })
    : undefined;

  async function verifySignature(token: string): Promise<JWTPayload> {
    let alg: string | undefined;
    try {
      alg = decodeProtectedHeader(token).alg;
    } catch {
      throw new AccessTokenRejected("the access token is not a JWT");
    }
    const options = { requiredClaims: ["exp"] };
    try {
      if (alg === "HS256" && secret) {
        return (await jwtVerify(token, secret, { ...options, algorithms: ["HS256"] })).payload;
      }
      if (alg !== undefined && asymmetricAlgorithms.includes(alg) && jwks) {
        return (await jwtVerify(token, jwks, { ...options, algorithms: asymmetricAlgorithms })).payload;
      }
    } catch (error) {
      if (error instanceof errors.JWTExpired) throw new AccessTokenRejected("the access token has expired");
      // Failing to reach the JWKS is our problem, not the caller's: let it surface as a 5xx.
      if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) throw error;
      if (error instanceof errors.JOSEError) throw new AccessTokenRejected("the access token's signature or claims are invalid");
      throw error;
    }
    throw new AccessTokenRejected(`access tokens signed with ${alg ?? "no algorithm"} are not accepted`);
  }

  return async function verifyAccessToken(token: string): Promise<Principal> {
    const claims = await verifySignature(token);
    if (claims.role === "service_role") return { kind: "service" };
    if (claims.role !== "authenticated") {
      throw new AccessTokenRejected("the access token is not a signed-in user's or the service role's");
    }
    const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
    if (!audiences.includes("authenticated")) {
      throw new AccessTokenRejected("the access token is not meant for this API (audience)");
    }
    if (config.issuer !== undefined && claims.iss !== config.issuer) {
      throw new AccessTokenRejected("the access token was issued by someone else (issuer)");
    }
    if (typeof claims.sub !== "string" || !uuidPattern.test(claims.sub)) {
      throw new AccessTokenRejected("the access token names no user");
    }
    const email = typeof claims.email === "string" ? claims.email : null;
    return { kind: "user", userId: claims.sub, email, claims };
  };
}
