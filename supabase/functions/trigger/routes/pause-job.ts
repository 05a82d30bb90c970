// POST pause-job {jobId, workspaceId}: see ../schedule-transition.ts.
import { pauseJobRequestSchema } from "../../_shared/api-schemas.ts";
import type { ScheduleTransitionResult } from "../../_shared/api-types.ts";
import { parseWith, readJsonBody } from "../http.ts";
import type { Route } from "../route.ts";
import { changeSchedule } from "../schedule-transition.ts";

export const pauseJobRoute: Route = {
  method: "POST",
  auth: "required",
  async handle({ request, sql, principal }): Promise<ScheduleTransitionResult> {
    const target = parseWith(pauseJobRequestSchema, await readJsonBody(request));
    return await changeSchedule(sql, principal, target, "pause");
  },
};
