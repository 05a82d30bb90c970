// GET jobs?workspaceId=…[&status=queued,scheduled][&from=…][&to=…][&limit=…][&cursor=…]:
// a workspace's jobs, latest scheduledTime first, in pages. The cursor is opaque to clients: it
// holds the last row's exact sort key (database timestamp text and id), so pages never skip or
// repeat rows even when many share a scheduled time.
import { jobIdSchema, jobsQuerySchema } from "../../_shared/api-schemas.ts";
import type { JobsPage } from "../../_shared/api-types.ts";
import { apiLimits } from "../../_shared/limits.ts";
import { parseIsoWithOffset } from "../../_shared/time.ts";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { ApiError, parseWith, queryOf } from "../http.ts";
import { type JobRow, toJobView } from "../job-view.ts";
import type { Route } from "../route.ts";

interface CursorPosition {
  scheduledTime: string;
  id: string;
}

function encodeCursor(position: CursorPosition): string {
  const json = JSON.stringify([position.scheduledTime, position.id]);
  return btoa(String.fromCharCode(...new TextEncoder().encode(json)))
    .replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * The database's text form of a timestamptz as encodeCursor stores it ("2026-11-28 13:44:49.123456+00"),
 * naming a real instant: a forged cursor must not reach the query as a time the database cannot read.
 */
function isDatabaseTimestamp(value: string): boolean {
  const match = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d{1,6})?)([+-]\d{2})(:\d{2})?$/.exec(value);
  if (match === null) return false;
  return parseIsoWithOffset(`${match[1]}T${match[2]}${match[3]}${match[4] ?? ":00"}`) !== null;
}

function decodeCursor(cursor: string): CursorPosition {
  try {
    const binary = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
    const parsed: unknown = JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0))));
    if (Array.isArray(parsed) && parsed.length === 2 && typeof parsed[0] === "string" && typeof parsed[1] === "string"
        && isDatabaseTimestamp(parsed[0]) && jobIdSchema.safeParse(parsed[1]).success) {
      return { scheduledTime: parsed[0], id: parsed[1] };
    }
  } catch {
    // fall through: any undecodable cursor is the client's mistake
  }
  throw ApiError.invalidFields([{ field: "cursor", message: "is not a cursor returned by this endpoint" }]);
}

export const jobsRoute: Route = {
  method: "GET",
  auth: "required",
  async handle({ url, sql, principal }): Promise<JobsPage> {
    const query = parseWith(jobsQuerySchema, queryOf(url));
    const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
    const limit = query.limit ?? apiLimits.jobs_page_size_default;
    return await inTransaction(sql, principal, async (tx) => {
      const workspace = await requireWorkspaceAccess(tx, principal, query.workspaceId, "read");
      const rows = await tx<(JobRow & { sort_time: string })[]>`
        select j.*, j.scheduled_time::text as sort_time
        from public.scheduled_sms_jobs j
        where j.workspace_id = ${workspace.id}
          ${query.status === undefined ? tx`` : tx`and j.status = any (${tx.array(query.status)}::public.sms_job_status[])`}
          ${query.from === undefined ? tx`` : tx`and j.scheduled_time >= ${query.from}::timestamptz`}
          ${query.to === undefined ? tx`` : tx`and j.scheduled_time < ${query.to}::timestamptz`}
          ${after === null ? tx`` : tx`and (j.scheduled_time, j.id) < (${after.scheduledTime}::timestamptz, ${after.id})`}
        order by j.scheduled_time desc, j.id desc
        limit ${limit + 1}`;
      const page = rows.slice(0, limit);
      const last = page.at(-1);
      return {
        jobs: page.map((row) => toJobView(row, workspace.timezone)),
        nextCursor: rows.length > limit && last !== undefined
          ? encodeCursor({ scheduledTime: last.sort_time, id: last.id })
          : null,
      };
    });
  },
};
