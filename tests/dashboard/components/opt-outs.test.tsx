// @vitest-environment jsdom
// The Opt-outs page: the numbers that opted out (source, reason, since), the latest changes and the
// recent replies with the action each took; writers add an opt-out and see how many pending
// messages it cancelled; owners and admins remove one only with a reason (a refusal in the API's
// words); members get no Remove button and viewers no form at all.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { InboundMessagesResult, OptOutsResult, WorkspaceView } from "../../../supabase/functions/_shared/api-types.ts";
import { demoWorkspace, fakeApi, renderDashboard, setUpComponentTests, viewerWorkspace } from "./support.tsx";

setUpComponentTests();

const optOuts: OptOutsResult = {
  workspaceId: "ws_demo",
  optOuts: [
    { phone: "+61412000001", source: "stop_keyword", reason: "replied STOP", createdTime: "2026-11-30T10:00:00+10:00", createdBy: null },
    { phone: "+61412000002", source: "api", reason: "Asked at the front desk", createdTime: "2026-11-29T09:00:00+10:00",
      createdBy: "00000000-0000-4000-8000-000000000004" },
  ],
  nextCursor: null,
  history: [
    { phone: "+61412000003", action: "removed", source: "api", reason: "Texted us to resume", actor: "00000000-0000-4000-8000-000000000001",
      messageSid: null, time: "2026-11-30T11:00:00+10:00" },
    { phone: "+61412000001", action: "added", source: "stop_keyword", reason: "replied STOP", actor: null,
      messageSid: `SM${"a".repeat(32)}`, time: "2026-11-30T10:00:00+10:00" },
  ],
};

const inbound: InboundMessagesResult = {
  workspaceId: "ws_demo",
  messages: [
    { id: "2", messageSid: `SM${"a".repeat(32)}`, from: "+61412000001", to: "+15005550006", messagingServiceSid: null, body: "Stop.",
      numMedia: 0, action: "opt_out", keyword: "STOP", effect: "opted_out", cancelledJobs: 3, receivedTime: "2026-11-30T10:00:00+10:00" },
    { id: "1", messageSid: `SM${"b".repeat(32)}`, from: "+61412000009", to: "+15005550006", messagingServiceSid: null, body: "HELP",
      numMedia: 0, action: "help", keyword: "HELP", effect: "logged", cancelledJobs: 0, receivedTime: "2026-11-30T09:00:00+10:00" },
  ],
  nextCursor: null,
};

function routes(workspace: WorkspaceView) {
  return {
    workspaces: () => ({ data: { workspaces: [workspace] } }),
    "opt-outs": () => ({ data: optOuts }),
    "inbound-messages": () => ({ data: inbound }),
  };
}

describe("Opt-outs page", () => {
  it("is in the navigation and lists opt-outs, the latest changes and recent replies with the action taken", async () => {
    fakeApi(routes(demoWorkspace));
    renderDashboard("/w/ws_demo/opt-outs");
    const table = await screen.findByTestId("opt-outs-table");
    expect(screen.getByRole("link", { name: "Opt-outs" }).getAttribute("aria-current")).toBe("page");
    const stop = within(table).getByText("+61412000001").closest("tr");
    expect(stop?.textContent).toContain("Replied STOP");
    expect(within(table).getByText("+61412000002").closest("tr")?.textContent).toContain("Asked at the front desk");
    const history = await screen.findByTestId("opt-out-history");
    expect(within(history).getByText("+61412000003").closest("tr")?.textContent).toMatch(/Opt-out removed.*Texted us to resume/);
    const replies = await screen.findByTestId("inbound-table");
    expect(within(replies).getByText("Stop.").closest("tr")?.textContent).toContain("Opted out; 3 pending messages cancelled");
    expect(within(replies).getByText("HELP").closest("tr")?.textContent).toContain("Logged");
  });

  it("adds an opt-out with an idempotency key and says how many pending messages it cancelled", async () => {
    const api = fakeApi({
      ...routes(demoWorkspace),
      "add-opt-out": (call) => ({ data: {
        workspaceId: "ws_demo", created: true, cancelledJobs: 2,
        optOut: { phone: (call.body as { phone: string }).phone, source: "api", reason: "Called in", createdTime: "2026-11-30T12:00:00+10:00", createdBy: null },
      } }),
    });
    renderDashboard("/w/ws_demo/opt-outs");
    const form = await screen.findByRole("form", { name: "Add an opt-out" });
    fireEvent.change(within(form).getByLabelText("Phone number"), { target: { value: "+61412000005" } });
    fireEvent.change(within(form).getByLabelText("Reason (optional)"), { target: { value: " Called in " } });
    fireEvent.click(within(form).getByRole("button", { name: "Add opt-out" }));
    expect((await within(form).findByRole("status")).textContent).toBe("+61412000005 opted out; 2 pending messages cancelled.");
    const [call] = api.callsTo("add-opt-out");
    expect(call?.body).toEqual({ workspaceId: "ws_demo", phone: "+61412000005", reason: "Called in" });
    expect(call?.headers.get("Idempotency-Key")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("removes an opt-out only with a reason, and shows the API's refusal", async () => {
    let refuse = true;
    const api = fakeApi({
      ...routes(demoWorkspace),
      "remove-opt-out": () => refuse
        ? { status: 404, code: "opt_out_not_found", message: "workspace ws_demo has no opt-out of +61412000002" }
        : { data: { workspaceId: "ws_demo", phone: "+61412000002", reason: "They asked", removedTime: "2026-11-30T12:00:00+10:00",
            removed: optOuts.optOuts[1] } },
    });
    renderDashboard("/w/ws_demo/opt-outs");
    fireEvent.click(await screen.findByRole("button", { name: "Remove the opt-out of +61412000002" }));
    const dialog = screen.getByRole("dialog", { name: "Message +61412000002 again?" });
    const confirm = within(dialog).getByRole("button", { name: "Remove opt-out" });
    expect((confirm as HTMLButtonElement).disabled).toBe(true);
    fireEvent.change(within(dialog).getByLabelText("Reason (kept in the history)"), { target: { value: "They asked" } });
    fireEvent.click(confirm);
    expect((await within(dialog).findByRole("alert")).textContent).toContain("has no opt-out of +61412000002");
    refuse = false;
    fireEvent.click(confirm);
    await waitFor(() => expect(api.callsTo("remove-opt-out")).toHaveLength(2));
    expect(api.callsTo("remove-opt-out")[1]?.body).toEqual({ workspaceId: "ws_demo", phone: "+61412000002", reason: "They asked" });
  });

  it("gives members the add form but no Remove, and viewers neither", async () => {
    fakeApi(routes({ ...demoWorkspace, role: "member" }));
    const { unmount } = renderDashboard("/w/ws_demo/opt-outs");
    await screen.findByTestId("opt-outs-table");
    expect(screen.getByRole("form", { name: "Add an opt-out" })).toBeTruthy();
    expect(screen.queryByRole("button", { name: /Remove the opt-out/ })).toBeNull();
    unmount();

    fakeApi(routes(viewerWorkspace));
    renderDashboard("/w/ws_demo/opt-outs");
    await screen.findByTestId("opt-outs-table");
    expect(screen.queryByRole("form", { name: "Add an opt-out" })).toBeNull();
    expect(screen.queryByRole("button", { name: /Remove the opt-out/ })).toBeNull();
  });
});
