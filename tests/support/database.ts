// Test access to the suite's database (DATABASE_URL is set by `npm test`).
import postgres from "postgres";

export type Sql = postgres.Sql;
export type TransactionSql = postgres.TransactionSql;

export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error("DATABASE_URL is not set: run the tests with `npm test`");
  return url;
}

export function connect(options: postgres.Options<Record<string, postgres.PostgresType>> = {}): Sql {
  return postgres(databaseUrl(), { max: 4, onnotice: () => undefined, prepare: false, ...options });
}

/** The seeded users (supabase/seed.sql). */
export const seededUsers = {
  demoOwner: { id: "00000000-0000-4000-8000-000000000001", email: "owner@demo.test" },
  demoViewer: { id: "00000000-0000-4000-8000-000000000002", email: "viewer@demo.test" },
  otherOwner: { id: "00000000-0000-4000-8000-000000000003", email: "owner@other.test" },
  demoMember: { id: "00000000-0000-4000-8000-000000000004", email: "member@demo.test" },
} as const;

/**
 * Runs `fn` as PostgREST would for a signed-in user: role authenticated and the JWT claims set
 * for the transaction. The transaction is rolled back unless `commit` is true.
 */
export async function asUser<T>(
  sql: Sql,
  userId: string,
  fn: (tx: TransactionSql) => Promise<T>,
): Promise<T> {
  return sql.begin(async (tx) => {
    await tx`select set_config('request.jwt.claims', ${JSON.stringify({ sub: userId, role: "authenticated" })}, true)`;
    await tx`set local role authenticated`;
    return fn(tx);
  }) as Promise<T>;
}

/** The error code name our SQL puts in an error's HINT, or the SQLSTATE for other errors. */
export function errorCodeOf(error: unknown): string | undefined {
  if (error instanceof postgres.PostgresError) return error.hint ?? error.code;
  return undefined;
}

/** A limit of the database (private.limit_value, the one place its limits are named); throws for an unknown name. */
export async function databaseLimit(sql: Sql, name: string): Promise<number> {
  const [row] = await sql<{ value: string | null }[]>`select private.limit_value(${name})::text as value`;
  if (row?.value == null) throw new Error(`private.limit_value knows no limit named ${name}`);
  return Number(row.value);
}
