// POST schedule-until: send at scheduledTime (ISO-8601 with an offset).
import { formatInTimeZone } from "../../_shared/time.ts";
import { createJob } from "../create-job.ts";
import { placementOf } from "../job-view.ts";
import type { RouteHandler } from "../route.ts";

export const scheduleUntil: RouteHandler<"schedule-until"> = async ({ input, sql, principal }) => {
  const { scheduledTime, ...message } = input;
  const { job, workspace } = await createJob(sql, principal, message, { kind: "at", time: scheduledTime });
  return {
    jobId: job.id,
    status: job.status,
    scheduledTime: formatInTimeZone(job.scheduled_time, workspace.timezone),
    ...placementOf(job, workspace.timezone),
  };
};
