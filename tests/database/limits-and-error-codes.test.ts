// The TypeScript copies of the database's limits, error codes and pending statuses must match the database.
import { afterAll, describe, expect, it } from "vitest";
import { databaseLimits } from "../../supabase/functions/_shared/limits.ts";
import { databaseErrorCodes } from "../../supabase/functions/_shared/error-codes.ts";
import { jobStatusSchema, pendingJobStatuses } from "../../supabase/functions/_shared/api-schemas.ts";
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

  it("the job statuses and the pending ones are the same on both sides (scheduled_sms_jobs.is_pending)", async () => {
    const [column] = await sql<{ expression: string }[]>`
      select pg_get_expr(d.adbin, d.adrelid) as expression
      from pg_attrdef d join pg_attribute a on a.attrelid = d.adrelid and a.attnum = d.adnum
      where d.adrelid = 'public.scheduled_sms_jobs'::regclass and a.attname = 'is_pending'`;
    if (column === undefined) throw new Error("scheduled_sms_jobs has no generated is_pending column");
    // The column's own generation expression, evaluated for every value of the enum (catalogue text, not input).
    const rows = await sql.unsafe<{ status: string; pending: boolean }[]>(`
      with statuses as (select unnest(enum_range(null::public.sms_job_status)) as status)
      select status::text as status, ${column.expression} as pending from statuses`);
    expect(rows.map((r) => r.status).sort()).toEqual([...jobStatusSchema.options].sort());
    expect(rows.filter((r) => r.pending).map((r) => r.status).sort()).toEqual([...pendingJobStatuses].sort());
  });
});
