// The typed client over supabase-js, against the real server: what an app developer would write.
import { createClient, type WebSocketLikeConstructor } from "@supabase/supabase-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { createSmsSchedulerClient, SmsApiError, type SmsSchedulerClient } from "../../client/sms-scheduler-client.ts";
import { type ApiServer, startApiServer, tokens } from "./support/api-server.ts";

let api: ApiServer;
let sms: SmsSchedulerClient;
beforeAll(async () => {
  api = await startApiServer();
  const token = await tokens.owner();
  // The project URL: supabase-js calls <url>/functions/v1/<name>.
  const projectUrl = api.server.functionsUrl.replace(/\/functions\/v1$/, "");
  sms = createSmsSchedulerClient(createClient(projectUrl, "local-anon-key", {
    accessToken: () => Promise.resolve(token),
    // Node 20 has no built-in WebSocket; supabase-js wants one for realtime (unused here).
    // (ws's constructor types are wider than supabase-js's declared shape, hence the cast.)
    realtime: { transport: WebSocket as unknown as WebSocketLikeConstructor },
  }));
});
afterAll(() => api.stop());

describe("typed client", () => {
  it("schedules, reads, lists and cancels", async () => {
    const scheduled = await sms.scheduleDelay({ to: "+61412345678", body: "Via the client", workspaceId: "ws_demo", delayMinutes: 15 });
    expect(scheduled.status).toBe("scheduled");
    const job = await sms.jobStatus({ jobId: scheduled.jobId, workspaceId: "ws_demo" });
    expect(job).toMatchObject({ jobId: scheduled.jobId, body: "Via the client", scheduledTime: scheduled.scheduledTime });
    const page = await sms.listJobs({ workspaceId: "ws_demo", status: "scheduled", limit: "200" });
    expect(page.jobs.map((j) => j.jobId)).toContain(scheduled.jobId);
    expect(await sms.cancelJob({ jobId: scheduled.jobId, workspaceId: "ws_demo" })).toEqual({ jobId: scheduled.jobId, status: "cancelled" });
    const sent = await sms.sendSms({ to: "+61412345678", body: "Now", workspaceId: "ws_demo" });
    expect(sent).toMatchObject({ status: "queued", messageId: sent.jobId });
    expect((await sms.health()).status).toBe("ok");
  });

  it("schedules a recurring message, pauses, resumes, reads and cancels it", async () => {
    const weekly = await sms.scheduleRecurring({
      to: "+61412345678", body: "Weekly via the client", workspaceId: "ws_demo", cron: "0 9 * * MON", timezone: "America/New_York",
    });
    expect(weekly).toMatchObject({ kind: "recurring", status: "active", timezone: "America/New_York" });
    expect(weekly.nextRuns).toHaveLength(5);
    expect(weekly.nextRuns.every((run) => /T09:00:00-0[45]:00$/.test(run))).toBe(true);
    expect(await sms.pauseJob({ jobId: weekly.jobId, workspaceId: "ws_demo" })).toEqual({ jobId: weekly.jobId, status: "paused", nextRun: null });
    expect(await sms.resumeJob({ jobId: weekly.jobId, workspaceId: "ws_demo" }))
      .toEqual({ jobId: weekly.jobId, status: "active", nextRun: weekly.nextRun });
    const schedule = await sms.jobStatus({ jobId: weekly.jobId, workspaceId: "ws_demo" });
    expect(schedule.kind === "recurring" ? schedule.counts : null).toMatchObject({ occurrences: 0, sent: 0 });
    const page = await sms.listJobs({ workspaceId: "ws_demo", kind: "recurring", status: "active", limit: "200" });
    expect(page.jobs.map((j) => j.jobId)).toContain(weekly.jobId);
    expect(await sms.cancelJob({ jobId: weekly.jobId, workspaceId: "ws_demo" })).toEqual({ jobId: weekly.jobId, status: "cancelled" });
    const refusal = await sms.pauseJob({ jobId: weekly.jobId, workspaceId: "ws_demo" }).catch((error: unknown) => error);
    expect(refusal).toMatchObject({ status: 409, code: "invalid_transition" });
  });

  it("reads the monitoring routes: workspaces, a job's events, the overview", async () => {
    expect((await sms.workspaces()).workspaces.map((w) => [w.workspaceId, w.role])).toEqual([["ws_demo", "owner"]]);
    const sent = await sms.sendSms({ to: "+61412345678", body: "Watched", workspaceId: "ws_demo" });
    const events = await sms.jobEvents({ jobId: sent.jobId, workspaceId: "ws_demo" });
    expect(events.events.map((e) => e.type)).toEqual(["created"]);
    const stats = await sms.stats({ workspaceId: "ws_demo" });
    expect(stats.counts.queued).toBeGreaterThanOrEqual(1);
    expect(stats.perMinute).toHaveLength(60);
    await sms.cancelJob({ jobId: sent.jobId, workspaceId: "ws_demo" });
  });

  it("creates, previews, uses, updates, lists and archives a template", async () => {
    const name = `Client reminder ${Date.now()}`;
    const template = await sms.createTemplate({
      workspaceId: "ws_demo", name, body: "Hi {{ first_name | default: 'there' }}, see you at {{ time }}.",
      variables: [{ name: "first_name", required: false, default: null }, { name: "time", required: true, default: null }],
    });
    expect(template).toMatchObject({ name, version: 1, archived: false });
    const preview = await sms.previewMessage({ workspaceId: "ws_demo", templateId: template.templateId, variables: { time: "5pm" } });
    expect(preview).toMatchObject({ body: "Hi there, see you at 5pm.", encoding: "GSM-7", segments: 1 });
    const scheduled = await sms.scheduleDelay({ workspaceId: "ws_demo", to: "+61412345678", templateId: template.templateId,
      variables: { first_name: "Ann", time: "5pm" }, delayMinutes: 30 });
    const job = await sms.jobStatus({ jobId: scheduled.jobId, workspaceId: "ws_demo" });
    expect(job.kind === "job" ? [job.body, job.template?.version, job.segments] : null).toEqual(["Hi Ann, see you at 5pm.", 1, 1]);
    await sms.cancelJob({ jobId: scheduled.jobId, workspaceId: "ws_demo" });
    const updated = await sms.updateTemplate({ workspaceId: "ws_demo", templateId: template.templateId, body: "See you at {{ time }}." });
    expect(updated.version).toBe(2);
    expect((await sms.listTemplates({ workspaceId: "ws_demo", archived: "false" })).templates.map((t) => t.templateId)).toContain(template.templateId);
    expect(await sms.archiveTemplate({ workspaceId: "ws_demo", templateId: template.templateId })).toMatchObject({ archived: true, version: 2 });
  });

  it("schedules a batch, reads its status, lists and cancels it", async () => {
    const batch = await sms.scheduleBulk({
      workspaceId: "ws_demo", body: "Bulk via the client", delayMinutes: 30,
      recipients: [{ to: "+61412345601" }, { to: "+61412345602", metadata: { row: 2 } }, { to: "+61412345601" }],
    });
    expect([batch.accepted, batch.rejected]).toEqual([2, 1]);
    expect(batch.items.map((item) => item.error?.code ?? "scheduled")).toEqual(["scheduled", "scheduled", "duplicate_recipient"]);
    const status = await sms.batchStatus({ batchId: batch.batchId, workspaceId: "ws_demo" });
    expect(status).toMatchObject({ total: 2, counts: { scheduled: 2 }, messageStatuses: { none: 2 } });
    const page = await sms.listJobs({ workspaceId: "ws_demo", batchId: batch.batchId });
    expect(page.jobs.map((j) => j.jobId).sort()).toEqual(batch.items.flatMap((item) => item.jobId ?? []).sort());
    expect(await sms.cancelJob({ jobId: batch.batchId, workspaceId: "ws_demo" })).toEqual({ jobId: batch.batchId, status: "cancelled", cancelled: 2 });
    const atomic = await sms.scheduleBulk({ workspaceId: "ws_demo", body: "x", atomic: true, recipients: [{ to: "+1234" }] })
      .catch((error: unknown) => error);
    expect(atomic).toMatchObject({ status: 400, code: "batch_rejected", details: { items: [{ index: 0, jobId: null, error: { code: "validation_failed" } }] } });
  });

  it("turns refusals into SmsApiError with the code and the bad fields", async () => {
    const refusal = await sms.sendSms({ to: "+1234567890", body: "Hi", workspaceId: "ws_demo" }).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(SmsApiError);
    expect(refusal).toMatchObject({ status: 400, code: "validation_failed", details: { fields: [{ field: "to" }] } });
  });
});
