// What the dashboard reads, on a workspace with a million jobs: GET stats (from the rollups), the
// first page of GET jobs, a status-filtered page, a recipient search and GET analytics (30 days by
// day, grouped by sender, 92 days by hour), each over real HTTP through the Deno functions server.
// The workspace is loaded in bulk with triggers off (as a restore would), its statistics and
// analytics rebuilt from the tables, then a few thousand ordinary sends go through the normal path
// so unfolded deltas are read too.
import type postgres from "postgres";
import { signUserToken } from "../../dev/access-token.ts";
import { startFunctionsServer } from "../../dev/functions-process.ts";
import { localAuth } from "../../dev/local-env.ts";
import { type BenchStack, raiseApiLimits } from "../bench-stack.ts";
import { percentile, round } from "../stats.ts";

export interface TimedRequest {
  request: string;
  samples: number;
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
}

export interface MonitoringAtScaleResult {
  jobs: number;
  events: number;
  loadSeconds: number;
  requests: TimedRequest[];
}

const workspaceId = "ws_bench_scale";
const owner = "00000000-0000-4000-8000-000000000001";

/** A million jobs over 90 days: mostly delivered, some failed, cancelled or still scheduled. */
async function loadWorkspace(stack: BenchStack, jobs: number): Promise<number> {
  const { sql } = stack;
  await sql`insert into public.workspaces (id, name) values (${workspaceId}, 'Bench at scale')`;
  await sql`insert into public.workspace_members (workspace_id, user_id, role) values (${workspaceId}, ${owner}, 'owner')`;
  // Its calls are timed back to back (faster than the default read limit): charged, never refused.
  await raiseApiLimits(sql, [workspaceId]);
  await sql`insert into public.workspace_senders (sender, workspace_id) values ('+15005550123', ${workspaceId}), ('+15005550124', ${workspaceId})`;
  await sql`update public.workspace_settings set timezone = 'Australia/Brisbane', default_sender = '+15005550123'
            where workspace_id = ${workspaceId}`;
  // The retry policy the insert trigger would record on each row (the workspace's, resolved once).
  const [{ policy } = { policy: {} }] = await sql<{ policy: Record<string, unknown> }[]>`
    select private.resolve_retry_policy(${workspaceId}, null) as policy`;
  await sql.begin(async (tx) => {
    // A bulk load: rows are built complete, so the per-row triggers (validation, events) stay off.
    await tx`set local session_replication_role = replica`;
    await tx`
      insert into public.scheduled_sms_jobs
        (id, workspace_id, to_phone, from_number, body, scheduled_time, status, status_reason, attempts, max_attempts,
         next_attempt_at, last_error_code, last_error_message, twilio_sid, message_status, created_at, updated_at, completed_at,
         encoding, segments, retry_policy)
      select 'job_' || md5(g::text), ${workspaceId}, '+614' || lpad((g % 50000)::text, 8, '0'),
             case when g % 4 = 0 then '+15005550124' else '+15005550123' end,
             'Reminder ' || g, t.at, s.status::public.sms_job_status, s.reason, s.attempts, 4, t.at,
             s.error_code, s.error_message,
             case when s.status = 'completed' then 'SM' || md5(g::text) end,
             case when s.status = 'completed' then case when g % 20 = 0 then 'undelivered' else 'delivered' end end,
             t.at, t.at, case when s.status = 'completed' then t.at + interval '1 second' end,
             case when g % 7 = 0 then 'UCS-2' else 'GSM-7' end, 1 + (g % 3 = 0)::integer, ${tx.json(policy as postgres.JSONValue)}::jsonb
      from generate_series(1, ${jobs}) g
      cross join lateral (select case when g % 50 = 0 then now() + (g % 1000) * interval '1 hour'
                                      else now() - (g::float8 / ${jobs}) * interval '90 days' end as at) t
      cross join lateral (select * from (values
        ('completed', 'accepted_by_twilio', 1, null, null),
        ('failed', 'permanent_error', 1, '21211', 'Invalid To number'),
        ('cancelled', 'cancelled_by_user', 0, null, null),
        ('scheduled', null, 0, null, null)) v (status, reason, attempts, error_code, error_message)
        where v.status = case when g % 50 = 0 then 'scheduled' when g % 33 = 0 then 'failed'
                              when g % 41 = 0 then 'cancelled' else 'completed' end) s`;
    // Each job's history as the service would have logged it.
    await tx`
      insert into public.sms_job_events (job_id, workspace_id, event_type, from_status, to_status, attempt, error_code,
                                         error_message, details, created_at)
      select j.id, j.workspace_id, e.event_type, e.from_status::public.sms_job_status, e.to_status::public.sms_job_status,
             e.attempt, e.error_code, e.error_message, e.details, j.created_at + e.offset_ms * interval '1 millisecond'
      from public.scheduled_sms_jobs j
      cross join lateral (values
        ('created', null, case when j.status = 'scheduled' then 'scheduled' else 'queued' end, null::integer, null, null, '{}'::jsonb, 0, true),
        ('claimed', 'queued', 'processing', 1, null, null, '{}'::jsonb, 10, j.attempts > 0),
        (j.status::text, 'processing', j.status::text, 1, j.last_error_code, j.last_error_message,
         jsonb_build_object('twilio_sid', j.twilio_sid), 200, j.status in ('completed', 'failed')),
        ('cancelled', 'queued', 'cancelled', 0, null, null, '{}'::jsonb, 5, j.status = 'cancelled'),
        ('message_status', 'completed', 'completed', 1, case when j.message_status = 'undelivered' then '30003' end, null,
         jsonb_build_object('from', 'queued', 'to', j.message_status), 3000, j.message_status is not null),
        ('price_reported', 'completed', 'completed', 1, null, null,
         jsonb_build_object('price', -0.0079 * j.segments, 'price_unit', 'USD'), 3001, j.message_status is not null)
      ) e (event_type, from_status, to_status, attempt, error_code, error_message, details, offset_ms, wanted)
      where j.workspace_id = ${workspaceId} and e.wanted`;
  });
  await sql`select private.rebuild_job_statistics()`;
  await sql`select private.rebuild_delivery_statistics()`;
  await sql`analyze public.scheduled_sms_jobs`;
  await sql`analyze public.sms_job_events`;
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from public.sms_job_events where workspace_id = ${workspaceId}`;
  return row?.n ?? 0;
}

async function time(url: string, token: string, samples: number): Promise<Omit<TimedRequest, "request">> {
  const durations: number[] = [];
  for (let i = 0; i < samples + 3; i++) {
    const started = performance.now();
    const response = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
    const body = await response.text();
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}: ${body.slice(0, 200)}`);
    if (i >= 3) durations.push(performance.now() - started); // the first three warm the server up
  }
  durations.sort((a, b) => a - b);
  return { samples, p50Ms: round(percentile(durations, 50), 1), p95Ms: round(percentile(durations, 95), 1),
    maxMs: round(durations.at(-1) ?? 0, 1) };
}

/** The request the analytics goal is about (issue 13: < 100 ms p50). */
export const analyticsByDay = "GET analytics (30 days by day)";

/** A period ending now, as a query string. */
function analyticsQuery(days: number, granularity: "day" | "hour"): string {
  const to = new Date();
  const from = new Date(to.getTime() - days * 24 * 60 * 60 * 1000);
  return new URLSearchParams({ workspaceId, from: from.toISOString(), to: to.toISOString(), granularity }).toString();
}

export async function measureMonitoringAtScale(stack: BenchStack, jobs: number): Promise<MonitoringAtScaleResult> {
  await stack.clearJobs();
  const loadStarted = Date.now();
  const events = await loadWorkspace(stack, jobs);
  // Ordinary sends through the insert path: their statistics are deltas not folded yet.
  await stack.sql`
    insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
    select ${workspaceId}, '+614' || lpad(g::text, 8, '0'), 'Live ' || g, now() + interval '1 day'
    from generate_series(1, 5000) g`;
  const loadSeconds = round((Date.now() - loadStarted) / 1000, 1);

  const server = await startFunctionsServer({
    functionsPort: 0, apiPort: 0,
    env: { SUPABASE_DB_URL: stack.url, SUPABASE_JWT_SECRET: localAuth.jwtSecret },
  });
  try {
    const token = await signUserToken({ userId: owner, email: "owner@demo.test" });
    const api = `${server.apiUrl}/trigger`;
    const requests: TimedRequest[] = [];
    for (const [request, path] of [
      ["GET stats", `stats?workspaceId=${workspaceId}`],
      ["GET jobs (first page)", `jobs?workspaceId=${workspaceId}`],
      ["GET jobs?status=failed", `jobs?workspaceId=${workspaceId}&status=failed`],
      ["GET jobs?search=<number prefix>", `jobs?workspaceId=${workspaceId}&search=%2B6140001234`],
      [analyticsByDay, `analytics?${analyticsQuery(30, "day")}`],
      ["GET analytics (30 days by day, groupBy=sender)", `analytics?${analyticsQuery(30, "day")}&groupBy=sender`],
      ["GET analytics (92 days by hour)", `analytics?${analyticsQuery(92, "hour")}`],
    ] as const) {
      requests.push({ request, ...(await time(`${api}/${path}`, token, 50)) });
    }
    return { jobs, events, loadSeconds, requests };
  } finally {
    await server.stop();
    await stack.sql`delete from public.workspaces where id = ${workspaceId}`;
  }
}
