// Component tests render the real dashboard (dashboard/src/app.tsx) in jsdom against a fake of the
// trigger function's API: each test says what the API answers and reads what the dashboard asked.
import { act, cleanup, render, type RenderResult } from "@testing-library/react";
import { afterEach, beforeEach, vi } from "vitest";

// jsdom has no canvas: the uPlot chart is checked in real Chromium (tests/dashboard/browser.test.ts).
vi.mock("../../../dashboard/src/components/activity-chart.tsx", () => ({
  ActivityChart: () => null, seriesColours: { sent: "#2563eb", delivered: "#15803d", failed: "#b91c1c" },
}));
// The Analytics page's charts: their captions (the words a screen reader gets) are checked here.
vi.mock("../../../dashboard/src/components/analytics-chart.tsx", () => ({
  TimeChart: ({ caption }: { caption: string }) => <figure><figcaption>{caption}</figcaption></figure>,
}));
import type { ApiData } from "../../../supabase/functions/_shared/api-routes.ts";
import type { JobView, ScheduleView, StatsResult, WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { Dashboard } from "../../../dashboard/src/app.tsx";

/** What the dashboard asked the API. */
export interface ApiCall {
  method: string;
  route: string;
  query: URLSearchParams;
  body: unknown;
  headers: Headers;
}

/** An answer: the route's data, or a refusal. */
export type ApiAnswer = { data: unknown } | { status: number; code: string; message: string };

export type ApiHandler = (call: ApiCall) => ApiAnswer | undefined;

export interface FakeApi {
  calls: ApiCall[];
  callsTo(route: string): ApiCall[];
  /** Replaces how a route answers from now on. */
  on(route: string, handler: (call: ApiCall) => ApiAnswer): void;
}

/** Installs the fake as global fetch: /api/trigger/<route> and /__local/<endpoint>. */
export function fakeApi(routes: Record<string, (call: ApiCall) => ApiAnswer>): FakeApi {
  const handlers = new Map(Object.entries(routes));
  const calls: ApiCall[] = [];
  vi.stubGlobal("fetch", vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://localhost");
    const route = url.pathname.replace(/^\/api\/trigger\//, "").replace(/^\/__local\//, "__local/");
    const call: ApiCall = {
      method: init?.method ?? "GET",
      route,
      query: url.searchParams,
      body: typeof init?.body === "string" ? JSON.parse(init.body) as unknown : undefined,
      headers: new Headers(init?.headers),
    };
    calls.push(call);
    const handler = handlers.get(route);
    const answer = handler?.(call) ?? { status: 404, code: "not_found", message: `no such endpoint: ${url.pathname}` };
    const ok = "data" in answer;
    return new Response(JSON.stringify(ok ? { success: true, data: answer.data } : { success: false, error: { code: answer.code, message: answer.message } }),
      { status: ok ? 200 : answer.status, headers: { "Content-Type": "application/json" } });
  }));
  return {
    calls,
    callsTo: (route) => calls.filter((c) => c.route === route),
    on: (route, handler) => handlers.set(route, handler),
  };
}

function base64url(value: unknown): string {
  return btoa(JSON.stringify(value)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** An unsigned token shaped like Supabase's (the fake API does not verify it). */
export function fakeToken(email: string, expiresInSeconds = 3600): string {
  return `${base64url({ alg: "HS256", typ: "JWT" })}.${base64url({
    sub: "00000000-0000-4000-8000-000000000001", email, role: "authenticated", exp: Math.floor(Date.now() / 1000) + expiresInSeconds,
  })}.signature`;
}

/** Renders the app at `path`, signed in with `token` (or signed out when null). */
export function renderDashboard(path: string, token: string | null = fakeToken("owner@demo.test")): RenderResult {
  window.history.replaceState(null, "", path);
  if (token !== null) localStorage.setItem("sms-dashboard:access-token", token);
  return render(<Dashboard />);
}

/** Lets timers (polls at the refresh interval) run: fake timers advance, then React settles. */
export async function advance(ms: number): Promise<void> {
  await act(async () => {
    await vi.advanceTimersByTimeAsync(ms);
  });
}

export const demoWorkspace: WorkspaceView = {
  workspaceId: "ws_demo", name: "Demo Coaching", role: "owner", canWrite: true, timezone: "Australia/Brisbane",
};
export const viewerWorkspace: WorkspaceView = { ...demoWorkspace, role: "viewer", canWrite: false };

let jobSeq = 0;

/** The policy a job of ws_demo records by default (the legacy columns: 3 retries, 30 s doubling to 1 h). */
const defaultRule = { maxAttempts: 4, backoff: "exponential", baseSeconds: 30, maxSeconds: 3600, jitter: true } as const;
export const defaultRetryPolicy = { rateLimited: defaultRule, serverError: defaultRule, carrier: defaultRule };

/** A job as GET jobs / job-status show it. */
export function job(fields: Partial<JobView> = {}): JobView {
  jobSeq += 1;
  return {
    jobId: `job_${String(jobSeq).padStart(32, "0")}`,
    kind: "job",
    workspaceId: "ws_demo",
    scheduleId: null,
    batchId: null,
    status: "queued",
    statusReason: null,
    scheduledTime: "2026-11-30T17:03:21+10:00",
    requestedTime: null,
    category: "transactional",
    senderSelection: "default",
    completedTime: null,
    messageStatus: null,
    twilioSid: null,
    to: "+61412345678",
    fromNumber: "+15005550006",
    body: `Message ${jobSeq}`,
    template: null,
    encoding: "GSM-7",
    segments: 1,
    twilioSegments: null,
    mediaUrls: [],
    metadata: {},
    attempts: 0,
    maxAttempts: 4,
    nextAttemptTime: "2026-11-30T17:03:21+10:00",
    expiresTime: null,
    retryPolicy: defaultRetryPolicy,
    lastError: null,
    createdTime: "2026-11-30T17:03:21+10:00",
    updatedTime: "2026-11-30T17:03:21+10:00",
    ...fields,
  };
}

export function schedule(fields: Partial<ScheduleView> = {}): ScheduleView {
  jobSeq += 1;
  return {
    jobId: `sched_${String(jobSeq).padStart(32, "0")}`,
    kind: "recurring",
    workspaceId: "ws_demo",
    status: "active",
    endedReason: null,
    cron: "0 9 * * MON",
    timezone: "Australia/Brisbane",
    startAt: "2026-11-30T17:03:21+10:00",
    endAt: null,
    maxOccurrences: 10,
    nextRun: "2026-12-07T09:00:00+10:00",
    nextRuns: ["2026-12-07T09:00:00+10:00", "2026-12-14T09:00:00+10:00"],
    counts: { occurrences: 0, sent: 0, failed: 0, pending: 0, cancelled: 0, missed: 0, skipped: 0 },
    lastOccurrence: null,
    to: "+61412345671",
    fromNumber: "+15005550006",
    body: "Weekly check-in",
    template: null,
    encoding: "GSM-7",
    segments: 1,
    mediaUrls: [],
    metadata: {},
    retryPolicy: null,
    validFor: null,
    createdTime: "2026-11-30T17:03:21+10:00",
    updatedTime: "2026-11-30T17:03:21+10:00",
    ...fields,
  };
}

export function stats(fields: Partial<StatsResult> = {}): StatsResult {
  return {
    workspaceId: "ws_demo",
    time: "2026-11-30T17:03:28+10:00",
    counts: { scheduled: 1, queued: 0, processing: 0, retrying: 0, completed: 3, failed: 2, cancelled: 0 },
    oldestOverdue: null,
    retriesPending: 0,
    failuresLastHour: 2,
    sweep: { lastRunTime: "2026-11-30T17:03:00+10:00", healthy: true },
    perMinute: [],
    perHour: [],
    failuresByCode: [],
    ...fields,
  };
}

export function page(jobs: (JobView | ScheduleView)[], nextCursor: string | null = null): { data: ApiData<"jobs"> } {
  return { data: { jobs, nextCursor } };
}

/** jsdom lacks <dialog> modality, scrolling and ResizeObserver; these stand-ins do what the app needs. */
function installDomShims(): void {
  HTMLDialogElement.prototype.showModal ??= function showModal(this: HTMLDialogElement) {
    this.setAttribute("open", "");
  };
  HTMLDialogElement.prototype.close ??= function close(this: HTMLDialogElement) {
    this.removeAttribute("open");
    this.dispatchEvent(new Event("close"));
  };
  window.scrollTo = () => {};
}

/** Each test: fresh storage, fake timers (polls are advanced by hand), no leftovers. */
export function setUpComponentTests(): void {
  beforeEach(() => {
    installDomShims();
    localStorage.clear();
    vi.useFakeTimers({ shouldAdvanceTime: true, toFake: ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "Date"] });
  });
  afterEach(() => {
    cleanup();
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });
}
