// How local access tokens are made, shaped like Supabase Auth's (HS256 with the project's JWT
// secret). No environment or port lookups here: Node (`npm run token`, tests) and Deno (the local
// sign-in endpoint of dev/functions-server.ts) both sign through this one function.
import { SignJWT } from "jose";

/** The supabase CLI's well-known development secret. Never valid anywhere real. */
export const developmentJwtSecret = "super-secret-jwt-token-with-at-least-32-characters-long";

export interface SignUserTokenOptions {
  userId: string;
  email?: string;
  secret: string;
  issuer: string;
  audience?: string;
  expiresInSeconds?: number;
}

/** A signed-in user's access token: role and aud `authenticated`, one hour unless told otherwise. */
export async function signUserAccessToken(options: SignUserTokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({ role: "authenticated", email: options.email, aal: "aal1", is_anonymous: false })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.userId)
    .setAudience(options.audience ?? "authenticated")
    .setIssuer(options.issuer)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresInSeconds ?? 3600))
    .sign(new TextEncoder().encode(options.secret));
}
