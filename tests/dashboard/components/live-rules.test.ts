// The rules behind live lists and the dashboard's copies of the contract's status lists.
import { describe, expect, it } from "vitest";
import { jobStatusSchema, pendingJobStatuses as contractPending, scheduleStatusSchema } from "../../../supabase/functions/_shared/api-schemas.ts";
import { jobStatuses, pendingJobStatuses, scheduleStatuses } from "../../../dashboard/src/format/statuses.ts";
import { filterParams, jobsQuery, readFilters } from "../../../dashboard/src/messages/list-filters.ts";
import { isSettled, newRowCount, patchPages, unsettledIds } from "../../../dashboard/src/messages/live-rows.ts";
import { job, schedule } from "./support.tsx";

describe("live rows", () => {
  it("a row is settled once nothing more can change", () => {
    expect(isSettled(job({ status: "queued" }))).toBe(false);
    expect(isSettled(job({ status: "processing" }))).toBe(false);
    expect(isSettled(job({ status: "retrying" }))).toBe(false);
    expect(isSettled(job({ status: "completed", messageStatus: null }))).toBe(false);
    expect(isSettled(job({ status: "completed", messageStatus: "sent" }))).toBe(false);
    expect(isSettled(job({ status: "completed", messageStatus: "delivered" }))).toBe(true);
    expect(isSettled(job({ status: "completed", messageStatus: "undelivered" }))).toBe(true);
    expect(isSettled(job({ status: "failed" }))).toBe(true);
    expect(isSettled(job({ status: "cancelled" }))).toBe(true);
    expect(isSettled(schedule({ status: "active" }))).toBe(false);
    expect(isSettled(schedule({ status: "paused" }))).toBe(false);
    expect(isSettled(schedule({ status: "ended" }))).toBe(true);
    expect(isSettled(schedule({ status: "cancelled" }))).toBe(true);
  });

  it("fresh copies replace rows where they are; nothing is added, dropped or moved; no change, same object", () => {
    const [a, b, c] = [job({ status: "queued" }), job({ status: "failed" }), job({ status: "processing" })] as const;
    const pages = { pages: [{ jobs: [a, b], nextCursor: "x" }, { jobs: [c], nextCursor: null }], pageParams: [undefined, "x"] };
    expect(unsettledIds(pages.pages.flatMap((p) => p.jobs))).toEqual([a.jobId, c.jobId]);

    const unknown = job({ status: "queued" });
    const patched = patchPages(pages, [{ ...c, status: "completed" }, { ...a, status: "processing" }, unknown]);
    expect(patched.pages.flatMap((p) => p.jobs).map((r) => [r.jobId, r.status])).toEqual([
      [a.jobId, "processing"], [b.jobId, "failed"], [c.jobId, "completed"],
    ]);
    expect(patched.pageParams).toBe(pages.pageParams);
    expect(patchPages(pages, [{ ...a }, { ...c }])).toBe(pages);
  });

  it("new rows are those of the latest first page that the list does not show", () => {
    const [a, b, c, d] = [job(), job(), job(), job()] as const;
    expect(newRowCount([a, b], [a, b])).toBe(0);
    expect(newRowCount([a, b], [c, d, a])).toBe(2);
    expect(newRowCount([], [a])).toBe(1);
  });
});

describe("filters in the address", () => {
  it("reads what it knows, drops what it does not, and writes only what differs from the defaults", () => {
    const filters = readFilters(new URLSearchParams("status=failed,bogus,retrying&range=24h&q=%2B61412&kind=job"), "job");
    expect(filters).toEqual({ kind: "job", status: ["failed", "retrying"], range: "24h", search: "+61412", batch: "" });
    expect(filterParams(filters, "job")).toEqual({ kind: null, status: "failed,retrying", range: "24h", q: "+61412", batch: null });
    expect(readFilters(new URLSearchParams("status=active,failed"), "recurring").status).toEqual(["active"]);
    // A number's "+" survives the round trip through the address.
    const written = new URLSearchParams(Object.entries(filterParams(filters, "job")).filter((e): e is [string, string] => e[1] !== null));
    expect(readFilters(new URLSearchParams(written.toString()), "job")).toEqual(filters);
    expect(readFilters(new URLSearchParams("range=forever&kind=nope"), "job")).toEqual({ kind: "job", status: [], range: "any", search: "", batch: "" });
    // A batch filter survives the address; anything but a batch id is dropped.
    expect(readFilters(new URLSearchParams("batch=batch_abc123"), "job").batch).toBe("batch_abc123");
    expect(readFilters(new URLSearchParams("batch=job_abc"), "job").batch).toBe("");
    expect(jobsQuery("ws_demo", readFilters(new URLSearchParams("batch=batch_abc123"), "job"), 0, 50).batchId).toBe("batch_abc123");
  });

  it("anchors relative time ranges at the moment the list was loaded", () => {
    const loadedAt = Date.parse("2026-11-30T07:00:00Z");
    expect(jobsQuery("ws_demo", { kind: "job", status: [], range: "1h", search: "", batch: "" }, loadedAt, 50))
      .toEqual({ workspaceId: "ws_demo", kind: "job", status: undefined, from: "2026-11-30T06:00:00.000Z", search: undefined, batchId: undefined, limit: "50" });
    expect(jobsQuery("ws_demo", { kind: "all", status: ["failed", "active"], range: "upcoming", search: "job_1", batch: "" }, loadedAt, 20))
      .toMatchObject({ kind: "all", status: "failed,active", from: "2026-11-30T07:00:00.000Z", search: "job_1", limit: "20" });
  });
});

describe("the dashboard's status lists", () => {
  it("are the contract's (the dashboard imports only its types)", () => {
    expect([...jobStatuses].sort()).toEqual([...jobStatusSchema.options].sort());
    expect([...pendingJobStatuses].sort()).toEqual([...contractPending].sort());
    expect([...scheduleStatuses].sort()).toEqual([...scheduleStatusSchema.options].sort());
  });
});
