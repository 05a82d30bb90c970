// The TypeScript copies of the database's limits and error codes must match the database.
import { afterAll, describe, expect, it } from "vitest";
import { databaseLimits } from "../../supabase/functions/_shared/limits.ts";
import { databaseErrorCodes } from "../../supabase/functions/_shared/error-codes.ts";
import { connect } from "../support/database.ts";

const sql = connect();
afterAll(() => sql.end());

describe("limits and error codes shared by TypeScript and SQL", () => {
  it("every TypeScript database limit equals private.limit_value", async () => {
    for (const [name, value] of Object.entries(databaseLimits)) {
      const [row] = await sql<{ value: string | null }[]>`select private.limit_value(${name})::text as value`;
      expect({ name, value: row?.value === null || row === undefined ? null : Number(row.value) })
        .toEqual({ name, value });
    }
  });

  it("the error code catalogue is the same on both sides", async () => {
    const rows = await sql<{ code: string; sqlstate: string; http_status: number }[]>`
      select code, sqlstate, http_status from private.error_codes order by code`;
    const fromDb = Object.fromEntries(rows.map((r) => [r.code, { sqlstate: r.sqlstate, httpStatus: r.http_status }]));
    expect(fromDb).toEqual(databaseErrorCodes);
  });
});
