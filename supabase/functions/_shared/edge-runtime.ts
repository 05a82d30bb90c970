// What each Edge Function's index.ts needs from its runtime: its environment variables and a
// database pool. Runtime-neutral like the rest of _shared (tsc checks it too): the caller passes
// its runtime's variable lookup, e.g. envReader((name) => Deno.env.get(name)).
import postgres from "postgres";

export type EnvLookup = (name: string) => string | undefined;

/** A reader of environment variables that treats an empty value as unset. */
export function envReader(lookup: EnvLookup): (name: string) => string | undefined {
  return (name) => {
    const value = lookup(name);
    return value === undefined || value === "" ? undefined : value;
  };
}

/** The pool a function instance keeps to its database (SUPABASE_DB_URL); the same for every function. */
export function databasePool(databaseUrl: string, max = 4): postgres.Sql {
  return postgres(databaseUrl, {
    // Transaction-mode poolers (Supavisor) cannot keep prepared statements.
    prepare: false,
    max,
    connect_timeout: 10,
    idle_timeout: 60,
    onnotice: () => undefined,
  });
}
