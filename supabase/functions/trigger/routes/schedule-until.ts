// POST schedule-until: send at scheduledTime (ISO-8601 with an offset).
import { scheduleUntilRequestSchema } from "../../_shared/api-schemas.ts";
import type { ScheduleResult } from "../../_shared/api-types.ts";
import { formatInTimeZone } from "../../_shared/time.ts";
import { createJob } from "../create-job.ts";
import { parseWith, readJsonBody } from "../http.ts";
import type { Route } from "../route.ts";

export const scheduleUntilRoute: Route = {
  method: "POST",
  auth: "required",
  async handle({ request, sql, principal, now }): Promise<ScheduleResult> {
    const { scheduledTime, ...message } = parseWith(scheduleUntilRequestSchema(now), await readJsonBody(request));
    const { job, workspace } = await createJob(sql, principal, message, { kind: "at", time: scheduledTime });
    return { jobId: job.id, status: job.status, scheduledTime: formatInTimeZone(job.scheduled_time, workspace.timezone) };
  },
};
