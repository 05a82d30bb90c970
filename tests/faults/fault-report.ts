// What a fault did to a set of messages: expected, sent, duplicated, failed visibly, lost.
// "Lost" is any job that is not settled (completed with a message at the simulator, or failed /
// cancelled with its reason on record) once the system has had time to recover.
import type { RunningTwilioSimulator } from "../../dev/twilio-simulator/start-twilio-simulator.ts";
import type { Sql } from "../support/database.ts";

export interface FaultReport {
  scenario: string;
  expected: number;
  sent: number;
  duplicated: number;
  failedVisibly: number;
  lost: number;
  /** Duplicated jobs without an in-doubt record (lease expiry, no answer, or duplicate_send). */
  duplicatesNotRecorded: number;
}

/** Events that say "this attempt may have reached Twilio although we could not record it". */
const inDoubtSql = `(e.event_type = 'duplicate_send'
  or (e.event_type in ('retry_scheduled', 'failed') and e.error_code in ('lease_expired', 'network_error')))`;

export async function faultReport(scenario: string, sql: Sql, simulator: RunningTwilioSimulator,
  jobIds: string[]): Promise<FaultReport> {
  const jobs = await sql<{ id: string; body: string; status: string; status_reason: string | null; failure_events: number;
    in_doubt: number }[]>`
    select j.id, j.body, j.status, j.status_reason,
           (select count(*)::int from public.sms_job_events e
            where e.job_id = j.id and e.event_type in ('failed', 'cancelled')) as failure_events,
           (select count(*)::int from public.sms_job_events e where e.job_id = j.id and ${sql.unsafe(inDoubtSql)}) as in_doubt
    from public.scheduled_sms_jobs j where j.id = any(${jobIds})`;
  const sendsByBody = new Map<string, number>();
  for (const m of simulator.messages()) sendsByBody.set(m.body, (sendsByBody.get(m.body) ?? 0) + 1);

  let sent = 0;
  let duplicated = 0;
  let failedVisibly = 0;
  let lost = jobIds.length - jobs.length; // rows that vanished
  let duplicatesNotRecorded = 0;
  for (const job of jobs) {
    const sends = sendsByBody.get(job.body) ?? 0;
    if (sends > 1) {
      duplicated += 1;
      if (job.in_doubt === 0) duplicatesNotRecorded += 1;
    }
    if (job.status === "completed" && sends > 0) sent += 1;
    else if ((job.status === "failed" || job.status === "cancelled") && job.status_reason && job.failure_events > 0) {
      failedVisibly += 1;
    } else lost += 1;
  }
  const report = { scenario, expected: jobIds.length, sent, duplicated, failedVisibly, lost, duplicatesNotRecorded };
  console.log(`fault report: ${JSON.stringify(report)}`);
  return report;
}

/** Waits until none of the jobs is pending or processing (or the timeout passes). */
export async function waitUntilSettled(sql: Sql, jobIds: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const [row] = await sql<{ open: number }[]>`
      select count(*)::int as open from public.scheduled_sms_jobs
      where id = any(${jobIds}) and status not in ('completed', 'failed', 'cancelled')`;
    if (row?.open === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

export async function insertDueJobs(sql: Sql, count: number, label: string, recipientBase = 700000): Promise<string[]> {
  const rows = await sql<{ id: string }[]>`
    insert into public.scheduled_sms_jobs (workspace_id, to_phone, body)
    select 'ws_demo', '+614' || lpad((${recipientBase} + g)::text, 8, '0'), ${label} || ' #' || g
    from generate_series(1, ${count}) g
    returning id`;
  return rows.map((r) => r.id);
}
