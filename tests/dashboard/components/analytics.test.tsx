// @vitest-environment jsdom
// The Analytics page: its controls live in the address and become the GET analytics query; it
// shows the totals, the charts' captions, send lag and latency, cost per currency, failures by
// code with their meaning, and a table of the chosen grouping.
import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { AnalyticsFigures, AnalyticsResult } from "../../../supabase/functions/_shared/api-types.ts";
import { demoWorkspace, fakeApi, renderDashboard, setUpComponentTests } from "./support.tsx";

setUpComponentTests();

function figures(fields: Partial<AnalyticsFigures> = {}): AnalyticsFigures {
  return {
    attempted: 0, sent: 0, delivered: 0, undelivered: 0, failed: 0, failedOurs: 0, failedTwilio: 0, cancelled: 0,
    deliveryRate: null, segments: 0, ucs2SegmentShare: null, cost: [], sendLagMs: { p50: null, p95: null, max: null },
    latencyMs: { p50: null, p95: null }, optOuts: 0, optOutRate: null, stuck: 0,
    ...fields,
  };
}

const busyDay = figures({
  attempted: 12, sent: 10, delivered: 8, undelivered: 1, failed: 3, failedOurs: 2, failedTwilio: 1, cancelled: 1,
  deliveryRate: 8 / 12, segments: 14, ucs2SegmentShare: 0.25, cost: [{ currency: "AUD", amount: 0.05 }, { currency: "USD", amount: 0.0632 }],
  sendLagMs: { p50: 190, p95: 1300, max: 1210 }, latencyMs: { p50: 2520, p95: 4230 }, optOuts: 1, optOutRate: 0.1, stuck: 2,
});

function result(fields: Partial<AnalyticsResult> = {}): AnalyticsResult {
  return {
    workspaceId: "ws_demo", timezone: "Australia/Brisbane", granularity: "day",
    from: "2026-11-24T00:00:00+10:00", to: "2026-12-01T00:00:00+10:00",
    totals: busyDay,
    buckets: [{ time: "2026-11-29T00:00:00+10:00", ...figures() }, { time: "2026-11-30T00:00:00+10:00", ...busyDay }],
    failuresByCode: [
      { code: "21211", count: 2, share: 0.5, meaning: "Invalid 'To' phone number" },
      { code: "30003", count: 1, share: 0.25, meaning: "Unreachable destination handset" },
      { code: "30007", count: 1, share: 0.25, meaning: "Filtered by the carrier (spam or content rules)" },
    ],
    groupBy: null, groups: [],
    ...fields,
  };
}

describe("Analytics page", () => {
  it("is in the navigation and shows the last 7 days by day: totals, charts, timing, cost and failures by code", async () => {
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      analytics: () => ({ data: result() }),
    });
    renderDashboard("/w/ws_demo");
    fireEvent.click(await screen.findByRole("link", { name: "Analytics" }));
    await screen.findByRole("heading", { name: "Analytics", level: 1 });

    const query = api.callsTo("analytics")[0]?.query;
    expect(query?.get("granularity")).toBe("day");
    expect(query?.get("groupBy")).toBeNull();
    expect(Date.parse(query?.get("to") ?? "") - Date.parse(query?.get("from") ?? "")).toBe(7 * 24 * 3600 * 1000);

    const totals = await screen.findByTestId("analytics-totals");
    const figure = (label: string) => within(totals).getByText(label).closest("div")?.querySelector("dd")?.textContent;
    expect(figure("Sent (accepted by Twilio)")).toBe("10");
    expect(figure("Delivered")).toBe("8");
    expect(figure("Delivery rate")).toMatch(/^66\.7%/);
    expect(figure("Failed")).toBe("3 (2 before Twilio, 1 at Twilio)");
    expect(figure("Segments")).toBe("14 (25.0% UCS-2)");
    expect(figure("Opt-outs")).toBe("1 (10.0% of sent)");
    expect(figure("No final status after 24 h")).toBe("2");

    expect(screen.getByText(/^Volume and delivery rate per day: 10 sent, 8 delivered, 4 failed or undelivered, delivery rate 66\.7%\.$/)).toBeTruthy();
    const lag = screen.getByRole("row", { name: /Send lag/ });
    expect(within(lag).getAllByRole("cell").map((c) => c.textContent)).toEqual(["190 ms", "1.3 s", "1.2 s"]);
    const latency = screen.getByRole("row", { name: /Delivery latency/ });
    expect(within(latency).getAllByRole("cell").map((c) => c.textContent)).toEqual(["2.5 s", "4.2 s", "–"]);

    const cost = screen.getByTestId("analytics-cost");
    expect(within(cost).getAllByRole("row").slice(1).map((r) => r.textContent)).toEqual(["AUD0.0500", "USD0.0632"]);
    const failures = screen.getByTestId("analytics-failures");
    expect(within(failures).getAllByRole("row").slice(1).map((r) => r.textContent)).toEqual([
      "21211Invalid 'To' phone number250.0%",
      "30003Unreachable destination handset125.0%",
      "30007Filtered by the carrier (spam or content rules)125.0%",
    ]);
  });

  it("keeps period, granularity and grouping in the address and asks the API for them; groups get a table", async () => {
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      analytics: (call) => ({
        data: call.query.get("groupBy") === "sender" ? result({
          groupBy: "sender",
          groups: [
            { key: "+15005550006", totals: figures({ sent: 7, delivered: 6, failed: 1, deliveryRate: 6 / 7, segments: 9 }), failuresByCode: [{ code: "30007", count: 1, share: 1, meaning: null }] },
            { key: "+15005550007", totals: figures({ sent: 3, delivered: 2, failed: 0, deliveryRate: 2 / 3, segments: 5 }), failuresByCode: [] },
          ],
        }) : result(),
      }),
    });
    renderDashboard("/w/ws_demo/analytics?range=30d&granularity=hour");
    await screen.findByTestId("analytics-totals");
    const first = api.callsTo("analytics")[0]?.query;
    expect(first?.get("granularity")).toBe("hour");
    expect(Date.parse(first?.get("to") ?? "") - Date.parse(first?.get("from") ?? "")).toBe(30 * 24 * 3600 * 1000);
    expect((screen.getByLabelText("Period") as HTMLSelectElement).value).toBe("30d");

    fireEvent.change(screen.getByLabelText("Group by"), { target: { value: "sender" } });
    await waitFor(() => expect(window.location.search).toBe("?range=30d&granularity=hour&group=sender"));
    const groups = await screen.findByTestId("analytics-groups");
    expect(api.callsTo("analytics").at(-1)?.query.get("groupBy")).toBe("sender");
    expect(within(groups).getAllByRole("row").slice(1).map((r) => within(r).getAllByRole("cell").slice(0, 4).map((c) => c.textContent))).toEqual([
      ["7", "6", "1", "85.7%"],
      ["3", "2", "0", "66.7%"],
    ]);
    expect(within(groups).getByRole("rowheader", { name: "+15005550006" })).toBeTruthy();

    fireEvent.change(screen.getByLabelText("Buckets"), { target: { value: "day" } });
    await waitFor(() => expect(window.location.search).toBe("?range=30d&granularity=day&group=sender"));
    await waitFor(() => expect(api.callsTo("analytics").at(-1)?.query.get("granularity")).toBe("day"));
  });

  it("says why when the API refuses, and falls back to the defaults for a hand-edited address", async () => {
    const api = fakeApi({
      workspaces: () => ({ data: { workspaces: [demoWorkspace] } }),
      analytics: () => ({ status: 400, code: "validation_failed", message: "to: must be at most 92 days after from with granularity hour" }),
    });
    renderDashboard("/w/ws_demo/analytics?range=forever&granularity=week&group=recipient");
    await screen.findByText(/must be at most 92 days/);
    const query = api.callsTo("analytics")[0]?.query;
    expect([query?.get("granularity"), query?.get("groupBy")]).toEqual(["day", null]);
    expect(Date.parse(query?.get("to") ?? "") - Date.parse(query?.get("from") ?? "")).toBe(7 * 24 * 3600 * 1000);
  });
});
