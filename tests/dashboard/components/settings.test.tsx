// @vitest-environment jsdom
// The Settings page: the workspace's regions (Twilio region and edge, the Twilio host they make, the
// Trigger.dev region), its quiet hours and its senders (kind, country, messages per second). Owners
// and admins change the regions ("Default" sends null) and the quiet hours; the API's refusal is
// shown in its words; viewers see no form.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { QuietHoursResult, RegionsResult } from "../../../supabase/functions/_shared/api-types.ts";
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
  { sender: "+15005550006", label: "Demo main line", kind: "long_code" as const, country: "US", messagesPerSecond: 1000, defaultRate: false,
    backlog: { messages: 0, segments: 0 }, drainSeconds: 0, nextSlotTime: null, isDefault: true },
  { sender: "+18885550100", label: null, kind: "toll_free" as const, country: "US", messagesPerSecond: 3, defaultRate: true,
    backlog: { messages: 0, segments: 0 }, drainSeconds: 0, nextSlotTime: null, isDefault: false },
  { sender: "MG" + "ab".repeat(16), label: "Pool", kind: "messaging_service" as const, country: null, messagesPerSecond: 1, defaultRate: true,
    backlog: { messages: 0, segments: 0 }, drainSeconds: 0, nextSlotTime: null, isDefault: false },
] } });

function quietHoursOf(fields: Partial<QuietHoursResult> = {}): QuietHoursResult {
  return { workspaceId: "ws_demo", enabled: false, start: "08:00", end: "21:00", workspaceTimezone: "Australia/Brisbane", heldMessages: 0, ...fields };
}
const quietHours = () => ({ data: quietHoursOf() });

describe("Settings page", () => {
  it("is in the navigation and shows the regions in force, the Twilio host and the senders", async () => {
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      regions: () => ({ data: regions({ twilioRegion: "au1", twilioEdge: "sydney", twilioApiHost: "api.sydney.au1.twilio.com", triggerRegion: "ap-southeast-2" }) }),
      senders,
      "quiet-hours": quietHours,
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
    expect(within(table).getAllByRole("columnheader").map((h) => h.textContent)).toEqual(["Sender", "Kind", "Country", "Messages per second"]);
    const tollFree = within(table).getByText("+18885550100").closest("tr");
    expect(tollFree?.textContent).toContain("Toll-free");
    expect(tollFree?.textContent).toContain("3 (default for its kind)");
    expect(within(table).getByText(/\+15005550006 · Demo main line \(default\)/).closest("tr")?.textContent).toContain("1,000");
    expect(within(table).getByText(/Pool/).closest("tr")?.textContent).toContain("— (set it for geo-match)");
  });

  it("says what the defaults are when nothing is set", async () => {
    fakeApi({ workspaces: () => ({ data: { workspaces: [demoWorkspace] } }), regions: () => ({ data: regions() }), senders, "quiet-hours": quietHours });
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
      "quiet-hours": quietHours,
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
      "quiet-hours": quietHours,
    });
    renderDashboard("/w/ws_demo/settings");
    const form = await screen.findByRole("form", { name: "Change the regions" });
    fireEvent.change(within(form).getByLabelText("Trigger.dev region"), { target: { value: "EU" } });
    fireEvent.submit(form);
    expect((await screen.findByRole("alert")).textContent).toContain("trigger region 'EU' is not a Trigger.dev region id");
  });

  it("shows a viewer the regions and senders without the form", async () => {
    fakeApi({ workspaces: () => ({ data: { workspaces: [viewerWorkspace] } }), regions: () => ({ data: regions() }), senders, "quiet-hours": quietHours });
    renderDashboard("/w/ws_demo/settings");
    await screen.findByTestId("regions-summary");
    await screen.findByRole("table", { name: "Senders" });
    expect(screen.queryByRole("form", { name: "Change the regions" })).toBeNull();
  });

  it("shows the quiet hours in force and lets an owner turn them on with a window", async () => {
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      regions: () => ({ data: regions() }),
      senders,
      "quiet-hours": quietHours,
      "update-quiet-hours": () => ({ data: quietHoursOf({ enabled: true, start: "09:00", end: "20:00", heldMessages: 3 }) }),
    });
    renderDashboard("/w/ws_demo/settings");
    const summary = await screen.findByTestId("quiet-hours-summary");
    expect(summary.textContent).toContain("Off: marketing messages are sent at any time");
    expect(summary.textContent).toContain("else the workspace’s (Australia/Brisbane)");
    const form = screen.getByRole("form", { name: "Change the quiet hours" });
    fireEvent.click(within(form).getByLabelText("Hold marketing messages outside the window"));
    fireEvent.change(within(form).getByLabelText("Send from"), { target: { value: "09:00" } });
    fireEvent.change(within(form).getByLabelText("Send until"), { target: { value: "20:00" } });
    fireEvent.click(within(form).getByRole("button", { name: "Save quiet hours" }));
    await waitFor(() => expect(api.callsTo("update-quiet-hours")).toHaveLength(1));
    expect(api.callsTo("update-quiet-hours")[0]?.body).toEqual({ workspaceId: "ws_demo", enabled: true, start: "09:00", end: "20:00" });
    await waitFor(() => expect(screen.getByTestId("quiet-hours-summary").textContent).toContain("On: marketing messages are sent from 09:00 to 20:00"));
    expect(screen.getByTestId("quiet-hours-held").textContent).toBe("3 messages");
  });

  it("does not offer to save a window that opens when it closes", async () => {
    fakeApi({ workspaces: () => ({ data: { workspaces: [demoWorkspace] } }), regions: () => ({ data: regions() }), senders, "quiet-hours": quietHours });
    renderDashboard("/w/ws_demo/settings");
    const form = await screen.findByRole("form", { name: "Change the quiet hours" });
    fireEvent.change(within(form).getByLabelText("Send until"), { target: { value: "08:00" } });
    expect(within(form).getByRole("status").textContent).toContain("different times");
    expect((within(form).getByRole("button", { name: "Save quiet hours" }) as HTMLButtonElement).disabled).toBe(true);
  });

  it("shows a viewer the quiet hours without the form", async () => {
    fakeApi({ workspaces: () => ({ data: { workspaces: [viewerWorkspace] } }), regions: () => ({ data: regions() }), senders,
      "quiet-hours": () => ({ data: quietHoursOf({ enabled: true, heldMessages: 1 }) }) });
    renderDashboard("/w/ws_demo/settings");
    expect((await screen.findByTestId("quiet-hours-summary")).textContent).toContain("On: marketing messages are sent from 08:00 to 21:00");
    expect(screen.getByTestId("quiet-hours-held").textContent).toBe("1 message");
    expect(screen.queryByRole("form", { name: "Change the quiet hours" })).toBeNull();
  });
});
