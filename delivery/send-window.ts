// A runner-side guard for per-sender pacing. The database gives each job a send slot, spaced at the
// sender's rate less a headroom (private.slot_rate), and a runner sends each job at its slot. A send
// that leaves late (a stalled event loop) followed by sends on time would squeeze the slots between
// them; so, per sender, this runner never sends two jobs closer together than a share of their
// slots' spacing (deliveryLimits.runner_pacing_min_gap_share). After a late send it catches up by
// the rest of the spacing per send, and lateness never accumulates: a busy runner still sends at
// its senders' full rates. Only this runner's sends are seen (several runners rely on the slots).
import { deliveryLimits } from "./limits.ts";

interface LastSend {
  slot: number;
  at: number;
}

export class SendWindow {
  private readonly bySender = new Map<string, LastSend>();

  constructor(private readonly minGapShare: number = deliveryLimits.runner_pacing_min_gap_share) {}

  /**
   * Reserves the send of `sender`'s job of slot `slot` (epoch ms) at `now` and answers how long to
   * wait before sending it. Reserved at once, so jobs whose timers fire together are spaced too.
   */
  reserve(sender: string, slot: number, now: number): number {
    const last = this.bySender.get(sender);
    const at = last === undefined ? now : Math.max(now, last.at + Math.max(0, slot - last.slot) * this.minGapShare);
    if (last === undefined || slot >= last.slot) this.bySender.set(sender, { slot, at });
    if (this.bySender.size > 10_000) this.forgetIdle(now);
    return at - now;
  }

  private forgetIdle(now: number): void {
    for (const [sender, last] of this.bySender) {
      if (last.at < now - 60_000) this.bySender.delete(sender);
    }
  }
}
