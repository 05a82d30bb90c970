// @vitest-environment jsdom
// Signing in and the shell around every page: the local sign-in, #access_token links, expiry and
// refusal, the workspace switcher, and live updates that stop while the tab is hidden.
import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { takeTokenFromFragment } from "../../../dashboard/src/auth/access-token.ts";
import { demoWorkspace, advance, fakeApi, fakeToken, page, renderDashboard, stats, setUpComponentTests } from "./support.tsx";

setUpComponentTests();

const otherWorkspace = { workspaceId: "ws_other", name: "Other Renovations", role: "viewer" as const, canWrite: false, timezone: "America/New_York" };

function setVisibility(state: "visible" | "hidden"): void {
  Object.defineProperty(document, "visibilityState", { configurable: true, get: () => state });
  document.dispatchEvent(new Event("visibilitychange", { bubbles: true }));
}

describe("signing in", () => {
  it("offers the local users and signs in as the one chosen, with the token the local server mints", async () => {
    const token = fakeToken("viewer@demo.test");
    const api = fakeApi({
      "__local/users": () => ({ data: { users: [
        { email: "owner@demo.test", workspaces: [{ workspaceId: "ws_demo", name: "Demo Coaching", role: "owner" }] },
        { email: "viewer@demo.test", workspaces: [{ workspaceId: "ws_demo", name: "Demo Coaching", role: "viewer" }] },
      ] } }),
      "__local/token": () => ({ data: { accessToken: token, expiresAt: "2026-11-30T08:00:00Z" } }),
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      stats: () => ({ data: stats() }),
    });
    renderDashboard("/", null);
    fireEvent.click(await screen.findByRole("button", { name: /viewer@demo\.test\s*viewer of Demo Coaching/ }));
    await screen.findByRole("heading", { name: "Overview" });
    expect(window.location.pathname).toBe("/w/ws_demo");
    expect(api.callsTo("__local/token")[0]?.body).toEqual({ email: "viewer@demo.test" });
    expect(api.callsTo("workspaces")[0]).toBeDefined();
    expect(screen.getByText(/viewer@demo\.test/)).toBeTruthy();
  });

  it("signing out offers the users again, and the next user's answers are fetched afresh", async () => {
    const api = fakeApi({
      "__local/users": () => ({ data: { users: [{ email: "viewer@demo.test", workspaces: [] }] } }),
      "__local/token": () => ({ data: { accessToken: fakeToken("viewer@demo.test"), expiresAt: "2026-11-30T08:00:00Z" } }),
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      stats: () => ({ data: stats() }),
    });
    renderDashboard("/w/ws_demo");
    await screen.findByRole("heading", { name: "Overview" });
    fireEvent.click(screen.getByRole("button", { name: "Sign out" }));
    const asked = api.callsTo("workspaces").length;
    fireEvent.click(await screen.findByRole("button", { name: /viewer@demo\.test/ }));
    await screen.findByRole("heading", { name: "Overview" });
    expect(screen.getByText(/viewer@demo\.test/)).toBeTruthy();
    expect(api.callsTo("workspaces").length).toBeGreaterThan(asked);
    expect(window.location.pathname).toBe("/w/ws_demo");
  });

  it("takes #access_token from the address and removes it at once", () => {
    window.history.replaceState(null, "", "/w/ws_demo/messages?status=failed#access_token=abc.def.ghi");
    expect(takeTokenFromFragment(window.location, window.history)).toBe("abc.def.ghi");
    expect(window.location.href).toBe("http://localhost:3000/w/ws_demo/messages?status=failed");
    // A Supabase Auth redirect (with a refresh token) is left for supabase-js.
    window.history.replaceState(null, "", "/#access_token=a.b.c&refresh_token=r&type=magiclink");
    expect(takeTokenFromFragment(window.location, window.history)).toBeNull();
    expect(window.location.hash).toBe("#access_token=a.b.c&refresh_token=r&type=magiclink");
  });

  it("an expired token opens the sign-in page with the reason", async () => {
    fakeApi({ "__local/users": () => ({ data: { users: [] } }) });
    renderDashboard("/w/ws_demo", fakeToken("owner@demo.test", -10));
    expect((await screen.findByRole("alert")).textContent).toBe("Your session expired. Sign in again.");
    expect(localStorage.getItem("sms-dashboard:access-token")).toBeNull();
  });

  it("a token the API refuses signs out", async () => {
    fakeApi({
      workspaces: () => ({ status: 401, code: "unauthorized", message: "the access token is invalid" }),
      "__local/users": () => ({ data: { users: [] } }),
    });
    renderDashboard("/w/ws_demo");
    expect((await screen.findByRole("alert")).textContent).toMatch(/no longer accepts your access token/);
    expect(screen.getByRole("heading", { name: "SMS scheduler" })).toBeTruthy();
  });
});

describe("the shell", () => {
  it("switches workspaces from the menu, keeping the section", async () => {
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace, otherWorkspace] } }),
      stats: (call) => ({ data: stats({ workspaceId: call.query.get("workspaceId") ?? "" }) }),
      jobs: () => page([]),
    });
    renderDashboard("/w/ws_demo/messages");
    const menu = await screen.findByRole("combobox", { name: "Workspace" });
    fireEvent.change(menu, { target: { value: "ws_other" } });
    await waitFor(() => expect(window.location.pathname).toBe("/w/ws_other/messages"));
    await waitFor(() => expect(api.callsTo("jobs").some((c) => c.query.get("workspaceId") === "ws_other")).toBe(true));
    expect(screen.getByText(/Read only/).textContent).toContain("Other Renovations");
    const nav = screen.getByRole("navigation", { name: "Sections" });
    expect(within(nav).getByRole("link", { name: "Messages" }).getAttribute("aria-current")).toBe("page");
    expect(within(nav).getByRole("link", { name: "Overview" }).getAttribute("href")).toBe("/w/ws_other");
  });

  it("polls at the chosen interval, not at all while the tab is hidden, and at once when it is shown again", async () => {
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      stats: () => ({ data: stats() }),
    });
    renderDashboard("/w/ws_demo");
    await screen.findByRole("heading", { name: "Messages by status" });
    // Counted from here: React's development StrictMode may fetch twice on mount.
    const start = api.callsTo("stats").length;
    const polls = () => api.callsTo("stats").length - start;
    await advance(3_050);
    expect(polls()).toBe(1);

    fireEvent.change(screen.getByRole("combobox", { name: "Live updates" }), { target: { value: "10000" } });
    await advance(5_000);
    expect(polls()).toBe(1);
    await advance(5_100);
    expect(polls()).toBe(2);

    act(() => setVisibility("hidden"));
    await advance(35_000);
    expect(polls()).toBe(2);
    act(() => setVisibility("visible"));
    await advance(50);
    expect(polls()).toBe(3);

    fireEvent.change(screen.getByRole("combobox", { name: "Live updates" }), { target: { value: "false" } });
    await advance(30_000);
    expect(polls()).toBe(3);
    expect(localStorage.getItem("sms-dashboard:refresh-interval")).toBe("false");
  });
});
