// A workspace's senders (rate, backlog, time to drain) and daily cap (usage in its local day) as
// GET senders / sending-limits and their POST updates answer them; the database computes both
// (private.sender_overview, private.sending_limits: 20261130001000_sender_pacing.sql).
import type { SenderView, SendersResult, SendingLimitsResult } from "../_shared/api-types.ts";
import type { Transaction } from "./database.ts";

interface SenderRow {
  sender: string;
  label: string | null;
  kind: SenderView["kind"];
  country: string | null;
  messages_per_second: string;
  default_rate: boolean;
  backlog_messages: string;
  backlog_segments: string;
  drain_seconds: number;
  next_slot_at: Date | null;
  is_default: boolean;
}

export async function sendersOf(tx: Transaction, workspaceId: string): Promise<SendersResult> {
  const rows = await tx<SenderRow[]>`
    select o.*, s.country
    from private.sender_overview(${workspaceId}) o
    join public.workspace_senders s on s.sender = o.sender
    order by o.sender`;
  return {
    workspaceId,
    senders: rows.map((r) => ({
      sender: r.sender,
      label: r.label,
      kind: r.kind,
      country: r.country,
      messagesPerSecond: Number(r.messages_per_second),
      defaultRate: r.default_rate,
      backlog: { messages: Number(r.backlog_messages), segments: Number(r.backlog_segments) },
      drainSeconds: Math.round(r.drain_seconds * 10) / 10,
      nextSlotTime: r.next_slot_at?.toISOString() ?? null,
      isDefault: r.is_default,
    })),
  };
}

interface LimitsRow {
  daily_message_cap: number | null;
  timezone: string;
  local_day: string;
  used_today: string;
  resets_at: Date;
  held_messages: string;
}

export async function sendingLimitsOf(tx: Transaction, workspaceId: string): Promise<SendingLimitsResult> {
  const [row] = await tx<LimitsRow[]>`
    select daily_message_cap, timezone, local_day::text as local_day, used_today, resets_at, held_messages
    from private.sending_limits(${workspaceId})`;
  if (row === undefined) throw new Error(`workspace ${workspaceId} has no settings row`);
  return {
    workspaceId,
    dailyMessageCap: row.daily_message_cap,
    timezone: row.timezone,
    localDay: row.local_day,
    usedToday: Number(row.used_today),
    resetsTime: row.resets_at.toISOString(),
    heldMessages: Number(row.held_messages),
  };
}
