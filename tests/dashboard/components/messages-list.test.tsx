// @vitest-environment jsdom
// The messages list stays live without moving: unsettled rows are refreshed in place, newer rows
// only announce themselves ("N new messages") until the reader asks for them, and the status counts
// are filters kept in the address.
import { screen, within, fireEvent, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { advance, demoWorkspace, fakeApi, job, page, renderDashboard, stats, setUpComponentTests } from "./support.tsx";

setUpComponentTests();

function rowIds(): string[] {
  const table = screen.getByRole("table", { name: "Messages, newest first" });
  return within(table).getAllByRole("row").slice(1).map((row) => row.getAttribute("data-id") ?? "");
}

function rowOf(id: string): HTMLElement {
  const row = document.querySelector<HTMLElement>(`tr[data-id="${id}"]`);
  if (row === null) throw new Error(`no row ${id}`);
  return row;
}

describe("messages list", () => {
  it("refreshes unsettled rows in place, in the same order, and asks only for those", async () => {
    const sending = job({ status: "processing", body: "In flight" });
    const delivered = job({ status: "completed", messageStatus: "delivered", body: "Done" });
    const waiting = job({ status: "scheduled", body: "Later" });
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      stats: () => ({ data: stats() }),
      jobs: (call) => {
        if (call.query.has("ids")) {
          return page([{ ...sending, status: "completed", messageStatus: "delivered", attempts: 1 }, waiting]);
        }
        return page([waiting, sending, delivered]);
      },
    });
    renderDashboard("/w/ws_demo/messages");
    await screen.findByRole("table", { name: "Messages, newest first" });
    expect(rowIds()).toEqual([waiting.jobId, sending.jobId, delivered.jobId]);
    expect(within(rowOf(sending.jobId)).getByText("processing")).toBeTruthy();

    await advance(3_100);
    await waitFor(() => expect(within(rowOf(sending.jobId)).getByText("delivered")).toBeTruthy());
    expect(rowIds()).toEqual([waiting.jobId, sending.jobId, delivered.jobId]);
    const refresh = api.callsTo("jobs").find((c) => c.query.has("ids"));
    // The settled row is never asked for again; kind=all so a row leaves no filter behind.
    expect(refresh?.query.get("ids")?.split(",")).toEqual([waiting.jobId, sending.jobId]);
    expect(refresh?.query.get("kind")).toBe("all");
  });

  it("counts newer rows in a banner instead of inserting them, and shows them when asked", async () => {
    const older = job({ body: "Older", status: "failed" });
    const newer = job({ body: "Newer", status: "failed" });
    let firstPage = [older];
    fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      stats: () => ({ data: stats() }),
      jobs: () => page(firstPage),
    });
    renderDashboard("/w/ws_demo/messages");
    await screen.findByRole("table", { name: "Messages, newest first" });
    expect(screen.queryByRole("button", { name: /new message/ })).toBeNull();

    firstPage = [newer, older];
    await advance(3_100);
    const banner = await screen.findByRole("button", { name: "1 new message — show" });
    expect(rowIds()).toEqual([older.jobId]);

    fireEvent.click(banner);
    await waitFor(() => expect(rowIds()).toEqual([newer.jobId, older.jobId]));
    expect(screen.queryByRole("button", { name: /new message/ })).toBeNull();
  });

  it("status counts are filters kept in the address, and the list asks the API for them", async () => {
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      stats: () => ({ data: stats() }),
      jobs: () => page([]),
    });
    renderDashboard("/w/ws_demo/messages");
    const failed = await screen.findByRole("button", { name: "2 failed" });
    expect(failed.getAttribute("aria-pressed")).toBe("false");

    fireEvent.click(failed);
    await waitFor(() => expect(window.location.search).toBe("?status=failed"));
    expect(screen.getByRole("button", { name: "2 failed" }).getAttribute("aria-pressed")).toBe("true");
    await waitFor(() => expect(api.callsTo("jobs").some((c) => c.query.get("status") === "failed")).toBe(true));

    fireEvent.click(screen.getByRole("button", { name: "3 completed" }));
    await waitFor(() => expect(window.location.search).toBe("?status=failed%2Ccompleted"));
    fireEvent.click(screen.getByRole("button", { name: "All statuses" }));
    await waitFor(() => expect(window.location.search).toBe(""));
  });

  it("the overview's counts link to the messages they count", async () => {
    fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      stats: () => ({ data: stats() }),
      jobs: () => page([]),
    });
    renderDashboard("/w/ws_demo");
    fireEvent.click(await screen.findByRole("link", { name: "2 failed" }));
    await waitFor(() => expect(`${window.location.pathname}${window.location.search}`).toBe("/w/ws_demo/messages?status=failed"));
    expect(await screen.findByRole("heading", { name: "Messages" })).toBeTruthy();
  });

  it("shows the API's own words when a search is refused", async () => {
    fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      stats: () => ({ data: stats() }),
      jobs: (call) => call.query.has("search")
        ? { status: 400, code: "validation_failed", message: "search must be a job or schedule id or at least 4 digits of a phone number" }
        : page([]),
    });
    renderDashboard("/w/ws_demo/messages?q=12");
    expect((await screen.findByRole("alert")).textContent).toContain("at least 4 digits of a phone number");
  });
});
