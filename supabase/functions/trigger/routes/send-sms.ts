// POST send-sms: send now. The job is created `queued` and the answer reports that real status
// (the spec's example says "processing", which a job only reaches once a worker claims it).
import { formatInTimeZone } from "../../_shared/time.ts";
import { createJob } from "../create-job.ts";
import { placementOf } from "../job-view.ts";
import type { RouteHandler } from "../route.ts";

export const sendSms: RouteHandler<"send-sms"> = async ({ input, sql, principal }) => {
  const { job, workspace } = await createJob(sql, principal, input, { kind: "now" });
  return {
    jobId: job.id,
    status: job.status,
    // The job id is the message's handle until Twilio assigns a SID (job-status: twilioSid).
    messageId: job.id,
    scheduledTime: formatInTimeZone(job.scheduled_time, workspace.timezone),
    ...placementOf(job, workspace.timezone),
  };
};
