// `npm run token -- [email]`: prints an access token for a user of the local database (default
// owner@demo.test), valid for an hour, for curl:  -H "Authorization: Bearer $(npm run -s token)".
// `npm run token -- --service-role` prints a service-role token instead.
import postgres from "postgres";
import { signServiceRoleToken, signUserToken } from "./access-token.ts";
import { databaseUrl, devCluster } from "./local-env.ts";

const argument = process.argv[2] ?? "owner@demo.test";

async function main(): Promise<string> {
  if (argument === "--service-role") return await signServiceRoleToken();
  const sql = postgres(databaseUrl(devCluster), { max: 1, onnotice: () => undefined, connect_timeout: 5 });
  try {
    const [user] = await sql<{ id: string; email: string }[]>`select id::text, email from auth.users where email = ${argument}`;
    if (user === undefined) {
      const known = await sql<{ email: string }[]>`select email from auth.users order by email`;
      throw new Error(`no user ${argument} in the local database; known: ${known.map((u) => u.email).join(", ")}`);
    }
    return await signUserToken({ userId: user.id, email: user.email });
  } finally {
    await sql.end();
  }
}

main().then(
  (token) => console.log(token),
  (error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(/ECONNREFUSED/.test(message) ? "The local database is not running: start it with `npm start`." : message);
    process.exit(1);
  },
);
