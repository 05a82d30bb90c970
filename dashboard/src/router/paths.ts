// The app's addresses, built in one place. Every view is below its workspace: /w/<workspace>/….
const scheduleIdPrefix = "sched_";

const base = (workspaceId: string): string => `/w/${encodeURIComponent(workspaceId)}`;

export const paths = {
  home: "/",
  overview: (workspaceId: string): string => base(workspaceId),
  messages: (workspaceId: string): string => `${base(workspaceId)}/messages`,
  schedules: (workspaceId: string): string => `${base(workspaceId)}/schedules`,
  templates: (workspaceId: string): string => `${base(workspaceId)}/templates`,
  bulk: (workspaceId: string): string => `${base(workspaceId)}/bulk`,
  analytics: (workspaceId: string): string => `${base(workspaceId)}/analytics`,
  optOuts: (workspaceId: string): string => `${base(workspaceId)}/opt-outs`,
  /** The workspace's settings: regions and senders. */
  settings: (workspaceId: string): string => `${base(workspaceId)}/settings`,
  /** A schedule-bulk batch's progress. */
  batch: (workspaceId: string, batchId: string): string => `${base(workspaceId)}/bulk/${encodeURIComponent(batchId)}`,
  /** A template's editor; "new" for one not created yet. */
  template: (workspaceId: string, templateId: string | "new"): string =>
    `${base(workspaceId)}/templates/${encodeURIComponent(templateId)}`,
  /** A job's page, or a schedule's (sched_… ids). */
  detail: (workspaceId: string, id: string): string =>
    id.startsWith(scheduleIdPrefix)
      ? `${base(workspaceId)}/schedules/${encodeURIComponent(id)}`
      : `${base(workspaceId)}/messages/${encodeURIComponent(id)}`,
};

/** The workspace and the rest of an app path, or null for paths outside /w/<workspace>. */
export function splitWorkspacePath(pathname: string): { workspaceId: string; rest: string } | null {
  const match = /^\/w\/([^/]+)(\/.*)?$/.exec(pathname);
  if (match === null || match[1] === undefined) return null;
  try {
    return { workspaceId: decodeURIComponent(match[1]), rest: (match[2] ?? "").replace(/^\/+|\/+$/g, "") };
  } catch {
    return null;
  }
}
