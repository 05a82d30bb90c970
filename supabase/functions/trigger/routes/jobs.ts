// GET jobs?workspaceId=…[&kind=job|recurring|all][&status=queued,scheduled][&from=…][&to=…][&search=…][&ids=…][&batchId=…][&limit=…][&cursor=…]:
// a workspace's jobs (kind=job, the default: one-off messages and schedules' occurrences), its
// recurring schedules (kind=recurring) or both (kind=all), latest first, in pages. A job sorts by
// its scheduledTime, a schedule by its startAt; from/to bound the same time; search finds an id or
// the start of a recipient's number; ids picks rows a screen shows. The cursor is opaque
// to clients: it holds the last row's exact sort key (database timestamp text and id), so pages
// never skip or repeat rows even when many share a time.
import { jobIdSchema, type JobStatus, jobStatusSchema, type ScheduleStatus, scheduleStatusSchema } from "../../_shared/api-schemas.ts";
import type postgres from "postgres";
import { apiLimits } from "../../_shared/limits.ts";
import { parseIsoWithOffset } from "../../_shared/time.ts";
import { requireWorkspaceAccess } from "../auth.ts";
import { inTransaction } from "../database.ts";
import { ApiError } from "../http.ts";
import { type JobRow, toJobView } from "../job-view.ts";
import type { RouteHandler } from "../route.ts";
import { loadSchedules, toScheduleView } from "../schedule-view.ts";

const jobStatusNames: readonly string[] = jobStatusSchema.options;
const scheduleStatusNames: readonly string[] = scheduleStatusSchema.options;

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

export const jobs: RouteHandler<"jobs"> = async ({ input: query, sql, principal }) => {
  const after = query.cursor === undefined ? null : decodeCursor(query.cursor);
  const limit = query.limit ?? apiLimits.jobs_page_size_default;
  // Which statuses each kind is filtered by (null: any); a kind none of whose statuses was asked for is left out.
  const jobStatuses = query.status?.filter((status): status is JobStatus => jobStatusNames.includes(status)) ?? null;
  const scheduleStatuses = query.status?.filter((status): status is ScheduleStatus => scheduleStatusNames.includes(status)) ?? null;
  const listJobs = query.kind !== "recurring" && (jobStatuses === null || jobStatuses.length > 0);
  // Schedules are never in a batch: a batchId lists jobs only.
  const listSchedules = query.kind !== "job" && query.batchId === undefined
    && (scheduleStatuses === null || scheduleStatuses.length > 0);
  const search = query.search;
  return await inTransaction(sql, principal, async (tx) => {
    const workspace = await requireWorkspaceAccess(tx, principal, query.workspaceId, "read");
    // The filters both kinds share, given a branch's id and recipient columns.
    const matching = (id: postgres.PendingQuery<postgres.Row[]>, phone: postgres.PendingQuery<postgres.Row[]>) => {
      return tx`
        ${query.ids === undefined ? tx`` : tx`and ${id} = any (${tx.array(query.ids)}::text[])`}
        ${search?.kind === "id" ? tx`and ${id} = ${search.id}` : tx``}
        ${search?.kind === "phonePrefix"
          // Numbers are '+' and digits, and ':' follows '9' byte-wise: the prefix is one index range.
          ? tx`and (${phone} collate "C") >= ${search.prefix} and (${phone} collate "C") < ${`${search.prefix}:`}`
          : tx``}`;
    };
    const jobBranch = tx`
      select 'job' as kind, j.id, j.scheduled_time as sort_at
      from public.scheduled_sms_jobs j
      where j.workspace_id = ${workspace.id}
        ${jobStatuses === null ? tx``
          // One status reads (workspace_id, status, scheduled_time desc, id desc) in page order.
          : jobStatuses.length === 1 ? tx`and j.status = ${jobStatuses[0] ?? ""}::public.sms_job_status`
          : tx`and j.status = any (${tx.array(jobStatuses)}::public.sms_job_status[])`}
        ${query.batchId === undefined ? tx`` : tx`and j.batch_id = ${query.batchId}`}
        ${query.from === undefined ? tx`` : tx`and j.scheduled_time >= ${query.from}::timestamptz`}
        ${query.to === undefined ? tx`` : tx`and j.scheduled_time < ${query.to}::timestamptz`}
        ${after === null ? tx`` : tx`and (j.scheduled_time, j.id) < (${after.scheduledTime}::timestamptz, ${after.id})`}
        ${matching(tx`j.id`, tx`j.to_phone`)}`;
    const scheduleBranch = tx`
      select 'recurring' as kind, s.id, s.start_at as sort_at
      from public.recurring_sms_schedules s
      where s.workspace_id = ${workspace.id}
        ${scheduleStatuses === null ? tx`` : tx`and s.status = any (${tx.array(scheduleStatuses)}::public.recurring_schedule_status[])`}
        ${query.from === undefined ? tx`` : tx`and s.start_at >= ${query.from}::timestamptz`}
        ${query.to === undefined ? tx`` : tx`and s.start_at < ${query.to}::timestamptz`}
        ${after === null ? tx`` : tx`and (s.start_at, s.id) < (${after.scheduledTime}::timestamptz, ${after.id})`}
        ${matching(tx`s.id`, tx`s.to_phone`)}`;
    const branches = listJobs && listSchedules
      ? tx`${jobBranch} union all ${scheduleBranch}`
      : listJobs ? jobBranch : listSchedules ? scheduleBranch : null;
    const rows = branches === null ? [] : await tx<{ kind: "job" | "recurring"; id: string; sort_time: string }[]>`
      select e.kind, e.id, e.sort_at::text as sort_time
      from (${branches}) e
      order by e.sort_at desc, e.id desc
      limit ${limit + 1}`;
    const page = rows.slice(0, limit);
    const jobIds = page.filter((row) => row.kind === "job").map((row) => row.id);
    const jobRows = jobIds.length === 0 ? [] : await tx<JobRow[]>`
      select * from public.scheduled_sms_jobs where id = any (${tx.array(jobIds)}::text[])`;
    const jobById = new Map(jobRows.map((job) => [job.id, toJobView(job, workspace.timezone)]));
    const schedules = await loadSchedules(tx, workspace.id, page.filter((row) => row.kind === "recurring").map((row) => row.id));
    const scheduleById = new Map(schedules.map((schedule) => [schedule.id, toScheduleView(schedule)]));
    const last = page.at(-1);
    return {
      jobs: page.flatMap((row) => {
        const view = row.kind === "job" ? jobById.get(row.id) : scheduleById.get(row.id);
        return view === undefined ? [] : [view];
      }),
      nextCursor: rows.length > limit && last !== undefined
        ? encodeCursor({ scheduledTime: last.sort_time, id: last.id })
        : null,
    };
  });
};
