// The routes of the `trigger` function. A request path ends in /trigger/<route>: hosted Supabase
// passes /trigger/<route>, the local server /functions/v1/trigger/<route> or the spec's
// /api/trigger/<route>; all resolve alike.
import type { Route } from "./route.ts";
import { cancelJobRoute } from "./routes/cancel-job.ts";
import { healthRoute } from "./routes/health.ts";
import { jobStatusRoute } from "./routes/job-status.ts";
import { jobsRoute } from "./routes/jobs.ts";
import { pauseJobRoute } from "./routes/pause-job.ts";
import { resumeJobRoute } from "./routes/resume-job.ts";
import { scheduleDelayRoute } from "./routes/schedule-delay.ts";
import { scheduleRecurringRoute } from "./routes/schedule-recurring.ts";
import { scheduleUntilRoute } from "./routes/schedule-until.ts";
import { sendSmsRoute } from "./routes/send-sms.ts";

export const routes: Record<string, Route> = {
  "send-sms": sendSmsRoute,
  "schedule-delay": scheduleDelayRoute,
  "schedule-until": scheduleUntilRoute,
  "schedule-recurring": scheduleRecurringRoute,
  "cancel-job": cancelJobRoute,
  "pause-job": pauseJobRoute,
  "resume-job": resumeJobRoute,
  "job-status": jobStatusRoute,
  "jobs": jobsRoute,
  "health": healthRoute,
};

export function findRoute(pathname: string): { name: string; route: Route } | null {
  const name = /(?:^|\/)trigger\/([a-z-]+)\/?$/.exec(pathname)?.[1];
  if (name === undefined || !Object.hasOwn(routes, name)) return null;
  const route = routes[name];
  return route === undefined ? null : { name, route };
}
