// POST pause-job {jobId, workspaceId}: see ../schedule-transition.ts.
import type { RouteHandler } from "../route.ts";
import { changeSchedule } from "../schedule-transition.ts";

export const pauseJob: RouteHandler<"pause-job"> = async ({ input, sql, principal }) =>
  await changeSchedule(sql, principal, input, "pause");
