// POST schedule-delay: send after delayMinutes, counted from the database's clock.
import { scheduleDelayRequestSchema } from "../../_shared/api-schemas.ts";
import type { ScheduleResult } from "../../_shared/api-types.ts";
import { formatInTimeZone } from "../../_shared/time.ts";
import { createJob } from "../create-job.ts";
import { parseWith, readJsonBody } from "../http.ts";
import type { Route } from "../route.ts";

export const scheduleDelayRoute: Route = {
  method: "POST",
  auth: "required",
  async handle({ request, sql, principal }): Promise<ScheduleResult> {
    const { delayMinutes, ...message } = parseWith(scheduleDelayRequestSchema, await readJsonBody(request));
    const { job, workspace } = await createJob(sql, principal, message, { kind: "delay", minutes: delayMinutes });
    return { jobId: job.id, status: job.status, scheduledTime: formatInTimeZone(job.scheduled_time, workspace.timezone) };
  },
};
