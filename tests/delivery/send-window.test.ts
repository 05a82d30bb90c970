// The runner's guard behind per-sender pacing: a send that left late must not squeeze the sends
// after it (more than the sender's rate in a second), and lateness must not pile up.
import { describe, expect, it } from "vitest";
import { SendWindow } from "../../delivery/send-window.ts";

/** Sends of one sender with slots `gapMs` apart, each asked at `askedAt(i)`; answers when each leaves. */
function leaveTimes(window: SendWindow, sender: string, count: number, gapMs: number, askedAt: (i: number) => number): number[] {
  return Array.from({ length: count }, (_, i) => {
    const slot = i * gapMs;
    const now = askedAt(i);
    return now + window.reserve(sender, slot, now);
  });
}

describe("SendWindow", () => {
  it("sends on time at the slots when nothing is late", () => {
    expect(leaveTimes(new SendWindow(0.975), "+15005550006", 5, 210, (i) => i * 210)).toEqual([0, 210, 420, 630, 840]);
  });

  it("after a late send, spaces the next ones at least 97.5% of their slots apart and catches up", () => {
    // The first send leaves 100 ms late; the others' timers fire on time.
    const times = leaveTimes(new SendWindow(0.975), "+15005550006", 30, 210, (i) => (i === 0 ? 100 : i * 210));
    for (let i = 1; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 1] ?? 0)).toBeGreaterThanOrEqual(204.75 - 1e-9);
    // Never more than 5 in any second at 5/s (slots 210 ms apart: 5% headroom).
    for (let i = 5; i < times.length; i++) expect((times[i] ?? 0) - (times[i - 5] ?? 0)).toBeGreaterThanOrEqual(1000);
    // 100 ms late, caught up by 5.25 ms a send: on its slot again within 20 sends.
    expect(times[25]).toBe(25 * 210);
  });

  it("lets a busy runner, late on every send, keep sending as fast as its timers fire (no drift piles up)", () => {
    // Every send is asked 3 ms after its slot (a saturated event loop) at 1,000 slots a second.
    const times = leaveTimes(new SendWindow(0.975), "+15005550006", 1000, 1, (i) => i + 3);
    expect((times[999] ?? 0) - 999).toBeLessThanOrEqual(3);
  });

  it("keeps senders apart", () => {
    const window = new SendWindow(0.975);
    expect(window.reserve("+15005550006", 0, 0)).toBe(0);
    expect(window.reserve("+15005550081", 0, 0)).toBe(0);
    expect(window.reserve("+15005550006", 210, 0)).toBeCloseTo(204.75, 6);
  });
});
