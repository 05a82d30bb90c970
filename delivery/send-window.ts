// A runner-side guard for per-sender pacing. The database gives each job a send slot (claims in
// 20261130001000_sender_pacing.sql), and a runner sends each job at its slot; but a send that leaves
// late (a cold connection, a busy event loop) followed by sends on time would put more than a
// second's worth of slots into one second. So, per sender, a send never leaves earlier after an
// earlier send of this runner than their slots are apart, counted against the latest earlier send
// at least a second of slots before it: lateness carries forward once a second (the running
// maximum, never a sum), and sends in between are not delayed.
const windowMs = 1000;
/** Sends older than this (in slot time) can no longer constrain a new one. */
const keepMs = 2 * windowMs;

interface Send {
  slot: number;
  sentAt: number;
}

export class SendWindow {
  private readonly bySender = new Map<string, Send[]>();

  /** How long to wait before sending `sender`'s job of slot `slot` (epoch ms) at `now`. */
  delayMs(sender: string, slot: number, now: number): number {
    const sends = this.bySender.get(sender);
    if (!sends) return 0;
    // The latest send whose slot is at least a window before this one (sends are sorted by slot).
    // Slots come in microseconds and Date keeps milliseconds: two slots a second apart may read
    // 999 ms apart, hence the 2 ms of slack.
    let lo = 0;
    let hi = sends.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if ((sends[mid]?.slot ?? 0) <= slot - windowMs + 2) lo = mid + 1;
      else hi = mid;
    }
    const ref = sends[lo - 1];
    return ref ? Math.max(0, ref.sentAt + (slot - ref.slot) - now) : 0;
  }

  /** Records that `sender`'s job of slot `slot` left at `sentAt`. */
  record(sender: string, slot: number, sentAt: number): void {
    let sends = this.bySender.get(sender);
    if (!sends) {
      sends = [];
      this.bySender.set(sender, sends);
    }
    let at = sends.length;
    while (at > 0 && (sends[at - 1]?.slot ?? 0) > slot) at--;
    sends.splice(at, 0, { slot, sentAt });
    // Trim what can no longer matter (in batches, so trimming stays cheap at high rates).
    const newest = sends[sends.length - 1]?.slot ?? slot;
    if ((sends[0]?.slot ?? newest) < newest - 2 * keepMs) {
      const keepFrom = sends.findIndex((s) => s.slot >= newest - keepMs);
      sends.splice(0, keepFrom);
    }
    if (this.bySender.size > 10_000) this.forgetIdle(sentAt);
  }

  private forgetIdle(now: number): void {
    for (const [sender, sends] of this.bySender) {
      if ((sends[sends.length - 1]?.sentAt ?? 0) < now - keepMs) this.bySender.delete(sender);
    }
  }
}
