// Signs access tokens shaped like Supabase Auth's (HS256 with the project's JWT secret), for
// `npm run token` and the tests, with the local stack's secret and issuer by default.
import { SignJWT } from "jose";
import { localAuth } from "./local-env.ts";
import { signUserAccessToken } from "./token-signing.ts";

export interface UserTokenOptions {
  userId: string;
  email?: string;
  expiresInSeconds?: number;
  secret?: string;
  issuer?: string;
  audience?: string;
}

export async function signUserToken(options: UserTokenOptions): Promise<string> {
  return await signUserAccessToken({
    ...options,
    secret: options.secret ?? localAuth.jwtSecret,
    issuer: options.issuer ?? localAuth.issuer,
  });
}

/** Like the project's service_role key: acts on every workspace. Keep it server-side. */
export async function signServiceRoleToken(secret: string = localAuth.jwtSecret, expiresInSeconds = 3600): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({ role: "service_role" })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setIssuer("supabase")
    .setIssuedAt(now)
    .setExpirationTime(now + expiresInSeconds)
    .sign(new TextEncoder().encode(secret));
}
