// @vitest-environment jsdom
// The Settings page: the workspace's regions (Twilio region and edge, the Twilio host they make, the
// Trigger.dev region) and its senders (kind, messages per second). Owners and admins change the
// regions ("Default" sends null); the API's refusal is shown in its words; viewers see no form.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { RegionsResult } from "../../../supabase/functions/_shared/api-types.ts";
import { twilioEdges, twilioRegions } from "../../../supabase/functions/_shared/regions.ts";
import { demoWorkspace, fakeApi, renderDashboard, setUpComponentTests, viewerWorkspace } from "./support.tsx";

setUpComponentTests();

function regions(fields: Partial<RegionsResult> = {}): RegionsResult {
  return {
    workspaceId: "ws_demo", twilioRegion: null, twilioEdge: null, triggerRegion: null, twilioApiHost: "api.twilio.com",
    defaults: { twilioRegion: "us1", twilioEdge: null, triggerRegion: null },
    allowed: {
      twilioRegions: [...twilioRegions], twilioEdges: [...twilioEdges],
      triggerRegionPattern: "^[a-z0-9]([a-z0-9_-]*[a-z0-9])?$", triggerRegionMaxChars: 64,
    },
    ...fields,
  };
}

const senders = () => ({ data: { workspaceId: "ws_demo", senders: [
  { sender: "+15005550006", label: "Demo main line", kind: "long_code" as const, messagesPerSecond: 1000, defaultRate: false,
    backlog: { messages: 0, segments: 0 }, drainSeconds: 0, nextSlotTime: null, isDefault: true },
  { sender: "+18885550100", label: null, kind: "toll_free" as const, messagesPerSecond: 3, defaultRate: true,
    backlog: { messages: 0, segments: 0 }, drainSeconds: 0, nextSlotTime: null, isDefault: false },
] } });

describe("Settings page", () => {
  it("is in the navigation and shows the regions in force, the Twilio host and the senders", async () => {
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      regions: () => ({ data: regions({ twilioRegion: "au1", twilioEdge: "sydney", twilioApiHost: "api.sydney.au1.twilio.com", triggerRegion: "ap-southeast-2" }) }),
      senders,
    });
    renderDashboard("/w/ws_demo/settings");
    const summary = await screen.findByTestId("regions-summary");
    expect(screen.getByRole("link", { name: "Settings" }).getAttribute("aria-current")).toBe("page");
    expect(summary.textContent).toContain("Australia (au1)");
    expect(summary.textContent).toContain("Sydney");
    expect(within(summary).getByTestId("twilio-host").textContent).toBe("api.sydney.au1.twilio.com");
    expect(summary.textContent).toContain("ap-southeast-2");
    expect(api.callsTo("regions")[0]?.query.get("workspaceId")).toBe("ws_demo");
    const table = await screen.findByRole("table", { name: "Senders" });
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["Sender", "Kind", "Messages per second"]);
    const tollFree = within(table).getByText("+18885550100").closest("tr");
    expect(tollFree?.textContent).toContain("Toll-free");
    expect(tollFree?.textContent).toContain("3 (default for its kind)");
    expect(within(table).getByText(/\+15005550006 · Demo main line \(default\)/).closest("tr")?.textContent).toContain("1,000");
  });

  it("says what the defaults are when nothing is set", async () => {
    fakeApi({ workspaces: () => ({ data: { workspaces: [demoWorkspace] } }), regions: () => ({ data: regions() }), senders });
    renderDashboard("/w/ws_demo/settings");
    const summary = await screen.findByTestId("regions-summary");
    expect(summary.textContent).toContain("Default: United States (us1)");
    expect(summary.textContent).toContain("Default: the nearest");
    expect(summary.textContent).toContain("api.twilio.com");
    expect(summary.textContent).toContain("Default: the Trigger.dev project's region");
  });

  it("lets an owner choose au1 through sydney and a Trigger.dev region; Default sends null", async () => {
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      regions: () => ({ data: regions({ triggerRegion: "us-east-1" }) }),
      "update-regions": () => ({ data: regions({ twilioRegion: "au1", twilioEdge: "sydney", twilioApiHost: "api.sydney.au1.twilio.com" }) }),
      senders,
    });
    renderDashboard("/w/ws_demo/settings");
    const form = await screen.findByRole("form", { name: "Change the regions" });
    fireEvent.change(within(form).getByLabelText("Twilio region"), { target: { value: "au1" } });
    // A region other than us1 without an edge is flagged before saving.
    expect(within(form).getByRole("status").textContent).toContain("needs an edge");
    fireEvent.change(within(form).getByLabelText("Twilio edge"), { target: { value: "sydney" } });
    fireEvent.change(within(form).getByLabelText("Trigger.dev region"), { target: { value: "" } });
    fireEvent.click(within(form).getByRole("button", { name: "Save regions" }));
    await waitFor(() => expect(api.callsTo("update-regions")).toHaveLength(1));
    expect(api.callsTo("update-regions")[0]?.body).toEqual({
      workspaceId: "ws_demo", twilioRegion: "au1", twilioEdge: "sydney", triggerRegion: null,
    });
    await waitFor(() => expect(screen.getByTestId("twilio-host").textContent).toBe("api.sydney.au1.twilio.com"));
  });

  it("shows the API's refusal in its words", async () => {
    fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      regions: () => ({ data: regions() }),
      "update-regions": () => ({ status: 400, code: "invalid_region", message: "trigger region 'EU' is not a Trigger.dev region id" }),
      senders,
    });
    renderDashboard("/w/ws_demo/settings");
    const form = await screen.findByRole("form", { name: "Change the regions" });
    fireEvent.change(within(form).getByLabelText("Trigger.dev region"), { target: { value: "EU" } });
    fireEvent.submit(form);
    expect((await screen.findByRole("alert")).textContent).toContain("trigger region 'EU' is not a Trigger.dev region id");
  });

  it("shows a viewer the regions and senders without the form", async () => {
    fakeApi({ workspaces: () => ({ data: { workspaces: [viewerWorkspace] } }), regions: () => ({ data: regions() }), senders });
    renderDashboard("/w/ws_demo/settings");
    await screen.findByTestId("regions-summary");
    await screen.findByRole("table", { name: "Senders" });
    expect(screen.queryByRole("form", { name: "Change the regions" })).toBeNull();
  });
});
