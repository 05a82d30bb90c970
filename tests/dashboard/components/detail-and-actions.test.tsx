// @vitest-environment jsdom
// A message's page: its timeline as the API records it, Cancel only for writers and only while the
// job is pending, Retry only for writers and only once it failed (a batch's failed jobs on the
// batch's page), confirmation first, and the API's own words when it refuses; its expiry and
// retry policy.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { BatchStatusResult, JobEventView } from "../../../supabase/functions/_shared/api-types.ts";
import { advance, demoWorkspace, fakeApi, job, page, renderDashboard, schedule, stats, setUpComponentTests, viewerWorkspace } from "./support.tsx";

setUpComponentTests();

function event(fields: Partial<JobEventView> & Pick<JobEventView, "eventId" | "type">): JobEventView {
  return {
    time: "2026-11-30T17:03:21+10:00", fromStatus: null, toStatus: null, attempt: null, errorCode: null, errorMessage: null,
    errorMeaning: null, occurrenceTime: null, details: {}, ...fields,
  };
}

const delivered = job({
  status: "completed", messageStatus: "delivered", attempts: 2, twilioSid: "SM0123456789abcdef0123456789abcdef",
  completedTime: "2026-11-30T17:03:24+10:00", nextAttemptTime: null,
});
const timeline: JobEventView[] = [
  event({ eventId: 1, type: "created", toStatus: "queued", attempt: 0 }),
  event({ eventId: 2, type: "claimed", fromStatus: "queued", toStatus: "processing", attempt: 1, details: { max_attempts: 4, lease_owner: "runner-1" } }),
  event({
    eventId: 3, type: "retry_scheduled", fromStatus: "processing", toStatus: "retrying", attempt: 1, errorCode: "20500",
    errorMessage: "Internal Server Error", errorMeaning: "Twilio had an internal error; retried",
    details: { next_attempt_at: "2026-11-30T07:03:23.5+00:00", max_attempts: 4 },
  }),
  event({ eventId: 4, type: "claimed", fromStatus: "retrying", toStatus: "processing", attempt: 2, details: { max_attempts: 4 } }),
  event({ eventId: 5, type: "completed", fromStatus: "processing", toStatus: "completed", attempt: 2, details: { twilio_sid: delivered.twilioSid, message_status: "queued" } }),
  event({ eventId: 6, type: "message_status", fromStatus: "completed", toStatus: "completed", attempt: 2, details: { twilio_sid: delivered.twilioSid, from: "sent", to: "delivered" } }),
];

describe("message detail", () => {
  it("shows every attempt, the error code with its message and meaning, the retry time, the Twilio SID and the delivery status", async () => {
    fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      "job-status": () => ({ data: delivered }),
      "job-events": () => ({ data: { jobId: delivered.jobId, kind: "job", events: timeline, truncated: false } }),
    });
    renderDashboard(`/w/ws_demo/messages/${delivered.jobId}`);
    const items = await waitFor(() => {
      const found = document.querySelectorAll<HTMLElement>("ol.timeline > li");
      expect(found).toHaveLength(6);
      return [...found];
    });
    expect(items.map((li) => li.dataset.eventType)).toEqual(["created", "claimed", "retry_scheduled", "claimed", "completed", "message_status"]);
    const retry = within(items[2] as HTMLElement);
    expect(retry.getByText("20500")).toBeTruthy();
    expect(retry.getByText(/Internal Server Error/)).toBeTruthy();
    expect(retry.getByText(/Twilio had an internal error; retried/)).toBeTruthy();
    expect(retry.getByText("Next attempt").nextElementSibling?.textContent).toBe("30 Nov, 17:03:23");
    expect(within(items[1] as HTMLElement).getByText("Attempt").nextElementSibling?.textContent).toBe("1 of 4");
    expect(within(items[4] as HTMLElement).getByText("Twilio SID").nextElementSibling?.textContent).toBe(delivered.twilioSid);
    expect(within(items[5] as HTMLElement).getByText("delivered")).toBeTruthy();
    // A finished job offers no action.
    expect(screen.queryByRole("button", { name: /cancel/i })).toBeNull();
  });

  it("asks before cancelling; when the job is claimed meanwhile, shows the API's refusal in its own words", async () => {
    const pending = job({ status: "scheduled", scheduledTime: "2026-12-01T09:00:00+10:00" });
    let current = pending;
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      "job-status": () => ({ data: current }),
      "job-events": () => ({ data: { jobId: pending.jobId, kind: "job", events: [event({ eventId: 1, type: "created" })], truncated: false } }),
      "cancel-job": () => ({ status: 409, code: "invalid_transition", message: `job ${pending.jobId} is processing and can no longer be cancelled` }),
    });
    renderDashboard(`/w/ws_demo/messages/${pending.jobId}`);
    fireEvent.click(await screen.findByRole("button", { name: "Cancel message" }));
    const dialog = screen.getByRole("dialog", { name: "Cancel this message?" });
    expect(api.callsTo("cancel-job")).toHaveLength(0);

    // A worker claims it while the user reads the question: the dialog stays.
    current = { ...pending, status: "processing", updatedTime: "2026-11-30T17:05:00+10:00" };
    await advance(3_100);
    await waitFor(() => expect(screen.getAllByText("processing").length).toBeGreaterThan(0));
    expect(screen.getByRole("dialog", { name: "Cancel this message?" })).toBe(dialog);

    fireEvent.click(within(dialog).getByRole("button", { name: "Cancel message" }));
    const alert = await within(dialog).findByRole("alert");
    expect(alert.textContent).toBe(`job ${pending.jobId} is processing and can no longer be cancelled`);
    expect(api.callsTo("cancel-job")[0]?.body).toEqual({ workspaceId: "ws_demo", jobId: pending.jobId });
  });

  it("cancels after confirmation and shows the new status", async () => {
    let current = job({ status: "scheduled" });
    fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      "job-status": () => ({ data: current }),
      "job-events": () => ({ data: { jobId: current.jobId, kind: "job", events: [], truncated: false } }),
      "cancel-job": () => {
        current = { ...current, status: "cancelled", statusReason: "cancelled_by_user", updatedTime: "2026-11-30T17:04:00+10:00" };
        return { data: { jobId: current.jobId, status: "cancelled" } };
      },
    });
    renderDashboard(`/w/ws_demo/messages/${current.jobId}`);
    fireEvent.click(await screen.findByRole("button", { name: "Cancel message" }));
    fireEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Cancel message" }));
    await waitFor(() => expect(screen.getByText("cancelled_by_user")).toBeTruthy());
    expect(screen.queryByRole("button", { name: "Cancel message" })).toBeNull();
  });
});

describe("retry", () => {
  const failed = job({
    status: "failed", statusReason: "permanent_error", attempts: 1, nextAttemptTime: null,
    lastError: { code: "21211", message: "The 'To' number is not a valid phone number." },
  });

  it("shows the expiry and the retry policy recorded on the message", async () => {
    const expiring = job({
      expiresTime: "2026-11-30T18:03:21+10:00",
      retryPolicy: {
        rateLimited: { maxAttempts: 6, backoff: "exponential", baseSeconds: 30, maxSeconds: 900, jitter: true },
        serverError: { maxAttempts: 4, backoff: "exponential", baseSeconds: 30, maxSeconds: 3600, jitter: true },
        carrier: { maxAttempts: 3, backoff: "fixed", baseSeconds: 600, maxSeconds: 600, jitter: false },
      },
    });
    fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      "job-status": () => ({ data: expiring }),
      "job-events": () => ({ data: { jobId: expiring.jobId, kind: "job", events: [], truncated: false } }),
    });
    renderDashboard(`/w/ws_demo/messages/${expiring.jobId}`);
    const expires = await screen.findByText("Expires");
    expect(expires.nextElementSibling?.textContent).toMatch(/^30 Nov, 18:03:21/);
    const policy = screen.getByRole("list", { name: "Retry policy" });
    expect(within(policy).getAllByRole("listitem").map((li) => li.textContent)).toEqual([
      "Rate limited (429): 6 attempts, 30 s doubling to 900 s, with jitter",
      "Twilio 5xx, timeouts: 4 attempts, 30 s doubling to 3600 s, with jitter",
      "Carrier, queue: 3 attempts, every 600 s",
    ]);
    expect(screen.queryByRole("button", { name: "Retry message" })).toBeNull();
  });

  it("shows why the sender was chosen, the category, and the time quiet hours moved the message from", async () => {
    const moved = job({
      to: "+447911123456", fromNumber: "+447700900123", senderSelection: "geo_match", category: "marketing",
      status: "scheduled", statusReason: "quiet_hours",
      requestedTime: "2026-11-30T07:30:00+10:00", scheduledTime: "2026-11-30T18:00:00+10:00",
    });
    fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      "job-status": () => ({ data: moved }),
      "job-events": () => ({ data: { jobId: moved.jobId, kind: "job", events: [], truncated: false } }),
    });
    renderDashboard(`/w/ws_demo/messages/${moved.jobId}`);
    const from = await screen.findByText("From");
    expect(from.nextElementSibling?.textContent).toBe("+447700900123 (the recipient's country)");
    expect(screen.getByText("Category").nextElementSibling?.textContent).toBe("Marketing (obeys quiet hours)");
    expect(screen.getByText("Status reason").nextElementSibling?.textContent).toBe("quiet_hours");
    expect(screen.getByText("Scheduled").nextElementSibling?.textContent)
      .toMatch(/^30 Nov, 18:00:00.* — moved by quiet hours from 30 Nov, 07:30:00/);
  });

  it("asks before retrying a failed message; a refusal is shown in the API's words and nothing changes", async () => {
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      "job-status": () => ({ data: failed }),
      "job-events": () => ({ data: { jobId: failed.jobId, kind: "job", events: [], truncated: false } }),
      "retry-job": () => ({ status: 409, code: "permanent_number_error", message: `job ${failed.jobId} failed with Twilio error 21211, which no retry fixes` }),
    });
    renderDashboard(`/w/ws_demo/messages/${failed.jobId}`);
    fireEvent.click(await screen.findByRole("button", { name: "Retry message" }));
    const dialog = screen.getByRole("dialog", { name: "Send this message again?" });
    expect(api.callsTo("retry-job")).toHaveLength(0);
    fireEvent.click(within(dialog).getByRole("button", { name: "Retry now" }));
    const alert = await within(dialog).findByRole("alert");
    expect(alert.textContent).toBe(`job ${failed.jobId} failed with Twilio error 21211, which no retry fixes`);
    const [call] = api.callsTo("retry-job");
    expect(call?.body).toEqual({ workspaceId: "ws_demo", jobId: failed.jobId });
    expect(call?.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
    expect(screen.getByRole("dialog", { name: "Send this message again?" })).toBe(dialog);
  });

  it("retries after confirmation, shows the message pending again, and offers Cancel instead", async () => {
    let current = failed;
    fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      "job-status": () => ({ data: current }),
      "job-events": () => ({ data: { jobId: current.jobId, kind: "job", events: [], truncated: false } }),
      "retry-job": () => {
        current = { ...current, status: "retrying", statusReason: "manual_retry", attempts: 0, nextAttemptTime: "2026-11-30T17:04:00+10:00",
          updatedTime: "2026-11-30T17:04:00+10:00" };
        return { data: { jobId: current.jobId, status: "retrying", nextAttemptTime: "2026-11-30T17:04:00+10:00", expiresTime: null } };
      },
    });
    renderDashboard(`/w/ws_demo/messages/${current.jobId}`);
    fireEvent.click(await screen.findByRole("button", { name: "Retry message" }));
    fireEvent.click(within(screen.getByRole("dialog")).getByRole("button", { name: "Retry now" }));
    await waitFor(() => expect(screen.getByText("manual_retry")).toBeTruthy());
    expect(screen.queryByRole("button", { name: "Retry message" })).toBeNull();
    expect(screen.getByRole("button", { name: "Cancel message" })).toBeTruthy();
  });

  it("an expired message is retried with a new expiry", async () => {
    const expired = { ...failed, statusReason: "expired", lastError: { code: "expired", message: "the message expired" } };
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      "job-status": () => ({ data: expired }),
      "job-events": () => ({ data: { jobId: expired.jobId, kind: "job", events: [], truncated: false } }),
      "retry-job": () => ({ data: { jobId: expired.jobId, status: "retrying", nextAttemptTime: null, expiresTime: null } }),
    });
    renderDashboard(`/w/ws_demo/messages/${expired.jobId}`);
    fireEvent.click(await screen.findByRole("button", { name: "Retry message" }));
    const dialog = screen.getByRole("dialog", { name: "Send this message again?" });
    expect(within(dialog).getByText(/valid for one more hour/)).toBeTruthy();
    fireEvent.click(within(dialog).getByRole("button", { name: "Retry now" }));
    await waitFor(() => expect(api.callsTo("retry-job")).toHaveLength(1));
    expect(api.callsTo("retry-job")[0]?.body).toEqual({ workspaceId: "ws_demo", jobId: expired.jobId, validFor: 3600 });
  });

  it("a batch with failed messages offers Retry after confirmation, then shows the refreshed counts", async () => {
    let counts: BatchStatusResult["counts"] = { scheduled: 0, queued: 0, processing: 0, retrying: 0, completed: 3, failed: 2, cancelled: 0 };
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      "batch-status": () => ({ data: {
        batchId: "batch_abc", workspaceId: "ws_demo", createdTime: "2026-11-30T10:00:00+10:00", createdBy: null,
        scheduledTime: "2026-11-30T10:00:00+10:00", template: null, metadata: {}, accepted: 5, rejected: 0, total: 5,
        counts, messageStatuses: { delivered: 3, none: 2 },
      } }),
      "retry-job": () => {
        counts = { ...counts, failed: 0, retrying: 2 };
        return { data: { jobId: "batch_abc", status: "retrying", nextAttemptTime: null, expiresTime: null, retried: 2, skipped: 0 } };
      },
    });
    renderDashboard("/w/ws_demo/bulk/batch_abc");
    fireEvent.click(await screen.findByRole("button", { name: "Retry failed messages" }));
    const dialog = screen.getByRole("dialog", { name: "Retry the 2 failed messages of this batch?" });
    fireEvent.click(within(dialog).getByRole("button", { name: "Retry them" }));
    await waitFor(() => expect(screen.queryByRole("button", { name: "Retry failed messages" })).toBeNull());
    expect(api.callsTo("retry-job")[0]?.body).toEqual({ workspaceId: "ws_demo", jobId: "batch_abc" });
    expect(screen.getByRole("button", { name: "Cancel pending messages" })).toBeTruthy();
  });

  it("a viewer gets no Retry button on a failed message", async () => {
    fakeApi({
      workspaces: () => ({ data: { workspaces: [viewerWorkspace] } }),
      "job-status": () => ({ data: failed }),
      "job-events": () => ({ data: { jobId: failed.jobId, kind: "job", events: [], truncated: false } }),
    });
    renderDashboard(`/w/ws_demo/messages/${failed.jobId}`);
    await screen.findByText(failed.to, { selector: "dd" });
    expect(screen.queryByRole("button", { name: "Retry message" })).toBeNull();
  });
});

describe("a viewer", () => {
  it("sees a pending message and a schedule, with no action anywhere", async () => {
    const pending = job({ status: "scheduled" });
    const weekly = schedule({ status: "active" });
    fakeApi({
      workspaces: () => ({ data: { workspaces: [viewerWorkspace] } }),
      stats: () => ({ data: stats() }),
      "job-status": (call) => ({ data: call.query.get("jobId") === weekly.jobId ? weekly : pending }),
      "job-events": (call) => ({ data: { jobId: call.query.get("jobId") ?? "", kind: "job", events: [], truncated: false } }),
      jobs: () => page([weekly]),
    });
    const { unmount } = renderDashboard(`/w/ws_demo/messages/${pending.jobId}`);
    await screen.findByText(pending.to, { selector: "dd" });
    expect(screen.getByText(/Read only/)).toBeTruthy();
    expect(screen.queryAllByRole("button").map((b) => b.textContent)).toEqual(["Sign out"]);
    unmount();

    renderDashboard("/w/ws_demo/schedules");
    const table = await screen.findByRole("table", { name: "Recurring schedules" });
    expect(within(table).getByText(weekly.body)).toBeTruthy();
    expect(within(table).queryByRole("columnheader", { name: "Actions" })).toBeNull();
    expect(within(table).queryAllByRole("button")).toEqual([]);
    expect(screen.queryAllByRole("button", { name: /^(pause|resume|cancel)( |$)/i })).toEqual([]);
  });
});
