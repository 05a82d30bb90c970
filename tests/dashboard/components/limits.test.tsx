// @vitest-environment jsdom
// The Limits page's API section: the limits in force (the workspace's own or the defaults) and what
// is left of the signed-in user's budgets, refreshed at the live interval; owners change the limits
// (blank = the default), a refusal is shown in the API's words, and viewers see no form. The
// page's senders section (tests/dashboard/components/senders.test.tsx) is answered here too.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { RateLimitSettings } from "../../../supabase/functions/_shared/api-types.ts";
import { advance, demoWorkspace, fakeApi, renderDashboard, setUpComponentTests, viewerWorkspace } from "./support.tsx";

setUpComponentTests();

const defaults = {
  writeRatePerSecond: 20, writeBurst: 40, readRatePerSecond: 50, readBurst: 100, bulkRecipientsPerMinute: 10000, bulkRecipientsBurst: 20000,
};

function settings(overrides: Partial<typeof defaults> = {}, readsLeft = 97): RateLimitSettings {
  const limits = { ...defaults, ...overrides };
  return {
    workspaceId: "ws_demo", limits, defaults, overrides,
    maximums: { writeRatePerSecond: 10000, writeBurst: 100000, readRatePerSecond: 10000, readBurst: 100000, bulkRecipientsPerMinute: 1000000, bulkRecipientsBurst: 1000000 },
    usage: [
      { policy: "writes", quota: limits.writeBurst, windowSeconds: 2, remaining: limits.writeBurst, resetSeconds: 0 },
      { policy: "reads", quota: limits.readBurst, windowSeconds: 2, remaining: readsLeft, resetSeconds: 1 },
      { policy: "bulk-recipients", quota: limits.bulkRecipientsBurst, windowSeconds: 120, remaining: limits.bulkRecipientsBurst, resetSeconds: 0 },
    ],
  };
}

/** The page's senders section: one sender with a backlog, no daily cap. */
const senderRoutes = {
  senders: () => ({ data: { workspaceId: "ws_demo", senders: [{
    sender: "+15005550006", label: "Demo main line", kind: "long_code" as const, messagesPerSecond: 5, defaultRate: false,
    backlog: { messages: 50, segments: 50 }, drainSeconds: 10, nextSlotTime: null, isDefault: true,
  }] } }),
  "sending-limits": () => ({ data: {
    workspaceId: "ws_demo", dailyMessageCap: null, timezone: "Australia/Brisbane", localDay: "2026-11-30",
    usedToday: 0, resetsTime: "2026-11-30T14:00:00.000Z", heldMessages: 0,
  } }),
};

describe("Limits page", () => {
  it("is in the navigation and shows each budget's limits, who set them, and what is left now, refreshed", async () => {
    let readsLeft = 97;
    const api = fakeApi({
      ...senderRoutes,
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      "rate-limits": () => ({ data: settings({ writeBurst: 80 }, readsLeft) }),
    });
    renderDashboard("/w/ws_demo/limits");
    const table = await screen.findByRole("table", { name: "API limits and your usage" });
    expect(screen.getByRole("link", { name: "Limits" }).getAttribute("aria-current")).toBe("page");
    const writes = within(table).getByRole("row", { name: /Writes/ });
    expect(within(writes).getByText("20 per second")).toBeTruthy();
    expect(within(writes).getByText("80")).toBeTruthy();
    expect(within(writes).getByText("this workspace")).toBeTruthy();
    expect(within(writes).getByText("full")).toBeTruthy();
    const reads = within(table).getByRole("row", { name: /Reads/ });
    expect(within(reads).getByText("default")).toBeTruthy();
    expect(within(reads).getByText("97 of 100")).toBeTruthy();
    expect(within(reads).getByText("1 s")).toBeTruthy();
    expect(api.callsTo("rate-limits")[0]?.query.get("workspaceId")).toBe("ws_demo");
    // The senders section on the same page: the sender's rate and the time to drain its backlog.
    const senderRow = within(await screen.findByTestId("senders-table")).getByText(/\+15005550006/).closest("tr");
    expect(senderRow?.textContent).toContain("5 segments/s");
    expect(senderRow?.textContent).toContain("50 messages (50 segments)");

    readsLeft = 60;
    await advance(3_500);
    await waitFor(() => expect(within(table).getByText("60 of 100")).toBeTruthy());
  });

  it("lets an owner change the limits: filled values are sent, blanks restore the default", async () => {
    const api = fakeApi({
      ...senderRoutes,
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      "rate-limits": () => ({ data: settings({ writeBurst: 80 }) }),
      "update-rate-limits": () => ({ data: settings({ readBurst: 300 }) }),
    });
    renderDashboard("/w/ws_demo/limits");
    const form = await screen.findByRole("form", { name: "Change the API limits" });
    const writeBurst = within(form).getByLabelText("Writes at once (burst)") as HTMLInputElement;
    expect(writeBurst.value).toBe("80");
    fireEvent.change(writeBurst, { target: { value: "" } });
    fireEvent.change(within(form).getByLabelText("Reads at once (burst)"), { target: { value: "300" } });
    fireEvent.click(within(form).getByRole("button", { name: "Save limits" }));
    await waitFor(() => expect(api.callsTo("update-rate-limits")).toHaveLength(1));
    expect(api.callsTo("update-rate-limits")[0]?.body).toEqual({
      workspaceId: "ws_demo",
      limits: {
        writeRatePerSecond: null, writeBurst: null, readRatePerSecond: null, readBurst: 300,
        bulkRecipientsPerMinute: null, bulkRecipientsBurst: null,
      },
    });
    const table = screen.getByRole("table", { name: "API limits and your usage" });
    await waitFor(() => expect(within(within(table).getByRole("row", { name: /Reads/ })).getByText("300")).toBeTruthy());
  });

  it("shows the API's refusal of a value out of bounds", async () => {
    fakeApi({
      ...senderRoutes,
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      "rate-limits": () => ({ data: settings() }),
      "update-rate-limits": () => ({ status: 400, code: "invalid_rate_limits", message: "writeBurst must be a whole number from 1 to 100000" }),
    });
    renderDashboard("/w/ws_demo/limits");
    const form = await screen.findByRole("form", { name: "Change the API limits" });
    fireEvent.change(within(form).getByLabelText("Writes at once (burst)"), { target: { value: "999999" } });
    fireEvent.submit(form);
    expect((await screen.findByRole("alert")).textContent).toContain("writeBurst must be a whole number from 1 to 100000");
  });

  it("shows a viewer the limits and its usage, without the form", async () => {
    fakeApi({
      ...senderRoutes,
      workspaces: () => ({ data: { workspaces: [viewerWorkspace] } }),
      "rate-limits": () => ({ data: settings() }),
    });
    renderDashboard("/w/ws_demo/limits");
    await screen.findByRole("table", { name: "API limits and your usage" });
    expect(screen.queryByRole("form", { name: "Change the API limits" })).toBeNull();
  });
});
