// Signs access tokens shaped like Supabase Auth's (HS256 with the project's JWT secret), for
// `npm run token` and the tests.
import { SignJWT } from "jose";
import { localAuth } from "./local-env.ts";

export interface UserTokenOptions {
  userId: string;
  email?: string;
  expiresInSeconds?: number;
  secret?: string;
  issuer?: string;
  audience?: string;
}

export async function signUserToken(options: UserTokenOptions): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return await new SignJWT({ role: "authenticated", email: options.email, aal: "aal1", is_anonymous: false })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(options.userId)
    .setAudience(options.audience ?? "authenticated")
    .setIssuer(options.issuer ?? localAuth.issuer)
    .setIssuedAt(now)
    .setExpirationTime(now + (options.expiresInSeconds ?? 3600))
    .sign(new TextEncoder().encode(options.secret ?? localAuth.jwtSecret));
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
