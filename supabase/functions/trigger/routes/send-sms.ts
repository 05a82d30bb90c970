// POST send-sms: send now. The job is created `queued` and the answer reports that real status
// (the spec's example says "processing", which a job only reaches once a worker claims it).
import { sendSmsRequestSchema } from "../../_shared/api-schemas.ts";
import type { SendSmsResult } from "../../_shared/api-types.ts";
import { formatInTimeZone } from "../../_shared/time.ts";
import { createJob } from "../create-job.ts";
import { parseWith, readJsonBody } from "../http.ts";
import type { Route } from "../route.ts";

export const sendSmsRoute: Route = {
  method: "POST",
  auth: "required",
  async handle({ request, sql, principal }): Promise<SendSmsResult> {
    const input = parseWith(sendSmsRequestSchema, await readJsonBody(request));
    const { job, workspace } = await createJob(sql, principal, input, { kind: "now" });
    return {
      jobId: job.id,
      status: job.status,
      // The job id is the message's handle until Twilio assigns a SID (job-status: twilioSid).
      messageId: job.id,
      scheduledTime: formatInTimeZone(job.scheduled_time, workspace.timezone),
    };
  },
};
