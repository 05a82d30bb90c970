// POST schedule-delay: send after delayMinutes, counted from the database's clock.
import { formatInTimeZone } from "../../_shared/time.ts";
import { createJob } from "../create-job.ts";
import { placementOf } from "../job-view.ts";
import type { RouteHandler } from "../route.ts";

export const scheduleDelay: RouteHandler<"schedule-delay"> = async ({ input, sql, principal }) => {
  const { delayMinutes, ...message } = input;
  const { job, workspace } = await createJob(sql, principal, message, { kind: "delay", minutes: delayMinutes });
  return {
    jobId: job.id,
    status: job.status,
    scheduledTime: formatInTimeZone(job.scheduled_time, workspace.timezone),
    ...placementOf(job, workspace.timezone),
  };
};
