// Deno, local only: the sign-in endpoints the dashboard's local mode uses, served by
// dev/functions-server.ts next to /api/trigger/* when SMS_LOCAL_SIGN_IN=1 (set only by `npm start`
// and the tests; never part of the Edge Functions):
//   GET  /__local/users   the users of the local database, with their workspaces and roles
//   POST /__local/token   {"email": "owner@demo.test"} → a one-hour access token, signed exactly as
//                         `npm run token` signs it (dev/token-signing.ts)
// It refuses to start unless the JWT secret is the well-known development secret, so it can never
// mint a token a real project would accept. No CORS headers: other origins cannot read the answers,
// and the JSON content type a POST needs forces a preflight nobody answers.
import postgres from "postgres";
import { developmentJwtSecret, signUserAccessToken } from "./token-signing.ts";

export interface LocalSignInOptions {
  databaseUrl: string;
  jwtSecret: string;
  /** The `iss` of minted tokens (Supabase Auth's is <project URL>/auth/v1). */
  issuer: string;
}

interface UserRow {
  id: string;
  email: string;
  workspaces: { workspaceId: string; name: string; role: string }[];
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json; charset=utf-8" } });
}

function refusal(status: number, code: string, message: string): Response {
  return json(status, { success: false, error: { code, message } });
}

export function createLocalSignIn(options: LocalSignInOptions): (request: Request) => Promise<Response> {
  if (options.jwtSecret !== developmentJwtSecret) {
    throw new Error("SMS_LOCAL_SIGN_IN works only with the local development JWT secret");
  }
  const sql = postgres(options.databaseUrl, { max: 1, onnotice: () => undefined, prepare: false });

  async function users(email?: string): Promise<UserRow[]> {
    return await sql<UserRow[]>`
      select u.id::text, u.email,
             coalesce(jsonb_agg(jsonb_build_object('workspaceId', w.id, 'name', w.name, 'role', m.role) order by w.name)
                        filter (where w.id is not null), '[]'::jsonb) as workspaces
      from auth.users u
      left join public.workspace_members m on m.user_id = u.id
      left join public.workspaces w on w.id = m.workspace_id
      where u.email is not null ${email === undefined ? sql`` : sql`and u.email = ${email}`}
      group by u.id, u.email
      order by u.email`;
  }

  return async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/__local/users") {
      if (request.method !== "GET") return refusal(405, "method_not_allowed", "use GET");
      const rows = await users();
      return json(200, { success: true, data: { users: rows.map(({ email, workspaces }) => ({ email, workspaces })) } });
    }
    if (pathname === "/__local/token") {
      if (request.method !== "POST") return refusal(405, "method_not_allowed", "use POST");
      if (!(request.headers.get("content-type") ?? "").startsWith("application/json")) {
        return refusal(415, "unsupported_media_type", "send JSON: {\"email\": \"owner@demo.test\"}");
      }
      let email: unknown;
      try {
        email = (await request.json() as { email?: unknown }).email;
      } catch {
        return refusal(400, "malformed_json", "the body is not JSON");
      }
      if (typeof email !== "string" || email === "") return refusal(400, "validation_failed", "email is required");
      const [user] = await users(email);
      if (user === undefined) return refusal(404, "user_not_found", `no user ${email} in the local database`);
      const expiresInSeconds = 3600;
      const accessToken = await signUserAccessToken({
        userId: user.id, email: user.email, secret: options.jwtSecret, issuer: options.issuer, expiresInSeconds,
      });
      return json(200, { success: true, data: { accessToken, expiresAt: new Date(Date.now() + expiresInSeconds * 1000).toISOString() } });
    }
    return refusal(404, "not_found", `no such endpoint: ${pathname}`);
  };
}
