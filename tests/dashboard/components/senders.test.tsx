// @vitest-environment jsdom
// Sending limits (issue 14): the senders table (rate, backlog, time to drain it) and the daily cap's
// usage, as the Limits page shows them; and the bulk page's estimate of how long a batch takes at
// its sender's rate, with a warning when that is longer than a message can wait.
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { SenderView, SendingLimitsResult } from "../../../supabase/functions/_shared/api-types.ts";
import { createApiClient } from "../../../dashboard/src/api/api-client.ts";
import { ApiClientProvider } from "../../../dashboard/src/api/api-context.tsx";
import { estimateSend, formatDuration } from "../../../dashboard/src/bulk/send-estimate.ts";
import { SenderPacing } from "../../../dashboard/src/components/sender-pacing.tsx";
import { RefreshIntervalProvider } from "../../../dashboard/src/live/refresh-interval.tsx";
import { demoWorkspace, fakeApi, setUpComponentTests } from "./support.tsx";

setUpComponentTests();

function sender(fields: Partial<SenderView> = {}): SenderView {
  return {
    sender: "+15005550006", label: "Demo main line", kind: "long_code", country: "US", messagesPerSecond: 5, defaultRate: false,
    backlog: { messages: 0, segments: 0 }, drainSeconds: 0, nextSlotTime: null, isDefault: true, ...fields,
  };
}

const limits: SendingLimitsResult = {
  workspaceId: "ws_demo", dailyMessageCap: 500, timezone: "Australia/Brisbane", localDay: "2026-11-30",
  usedToday: 120, resetsTime: "2026-11-30T14:00:00.000Z", heldMessages: 3,
};

function renderPacing(): void {
  const client = createApiClient({ baseUrl: "/api/trigger", accessToken: () => Promise.resolve("token"), onUnauthorized: () => undefined });
  render(
    <QueryClientProvider client={new QueryClient({ defaultOptions: { queries: { retry: false } } })}>
      <ApiClientProvider value={client}>
        <RefreshIntervalProvider>
          <SenderPacing workspace={demoWorkspace} />
        </RefreshIntervalProvider>
      </ApiClientProvider>
    </QueryClientProvider>,
  );
}

describe("sender pacing", () => {
  it("shows each sender's rate, its backlog and the time to drain it, and the daily cap's usage", async () => {
    fakeApi({
      senders: () => ({ data: { workspaceId: "ws_demo", senders: [
        sender({ backlog: { messages: 1000, segments: 1000 }, drainSeconds: 200 }),
        sender({ sender: "+18885550100", label: null, kind: "toll_free", messagesPerSecond: 3, defaultRate: true, isDefault: false }),
      ] } }),
      "sending-limits": () => ({ data: limits }),
    });
    renderPacing();
    const table = await screen.findByTestId("senders-table");
    const main = within(table).getByText(/\+15005550006/).closest("tr");
    expect(main?.textContent).toContain("5 segments/s");
    expect(main?.textContent).toContain("1000 messages (1000 segments)");
    expect(main?.textContent).toContain("3 min");
    const tollFree = within(table).getByText(/\+18885550100/).closest("tr");
    expect(tollFree?.textContent).toContain("Toll-free");
    expect(tollFree?.textContent).toContain("3 segments/s (default for its kind)");
    expect((await screen.findByTestId("daily-cap")).textContent).toMatch(/120 of 500 sent today \(2026-11-30, Australia\/Brisbane\).*3 messages wait for the next day/);
  });
});

describe("bulk send estimate", () => {
  it("adds the sender's backlog to the batch's segments at its rate, and flags a batch longer than a message can wait", () => {
    // 50 messages of one segment at 5/s, slots 5% wider (4.75/s): 10.5 s.
    expect(estimateSend(sender(), 50, 1)).toEqual({ seconds: 50 / 4.75, backlogSeconds: 0, tooLong: false });
    // 50,000 two-segment messages at 1/s (0.95/s) behind a 100 s backlog: 105,363 s, longer than 10 h.
    const slow = estimateSend(sender({ messagesPerSecond: 1, drainSeconds: 100 }), 50_000, 2);
    expect(slow).toEqual({ seconds: 100 + 100_000 / 0.95, backlogSeconds: 100, tooLong: true });
    expect(formatDuration(slow.seconds)).toBe("29 h 16 min");
    expect(formatDuration(10)).toBe("10 s");
  });
});
