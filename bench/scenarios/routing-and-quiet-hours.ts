// What sender routing and quiet hours cost (issue 15), as ratios on this noisy machine:
// - creating messages as a signed-in member under RLS (PostgREST's bulk insert, as bulk-insert.ts)
//   with an explicit sender, without one (routed: country lookup, geo-match, sticky probe), and
//   without one as marketing with quiet hours on and the window closed (each message moved);
// - claiming due marketing messages with quiet hours off and on (window open: each claimed row's
//   recipient timezone and window are checked).
// Rounds interleave the variants so drift in the machine's load hits each alike; best of each.
import postgres from "postgres";
import type { BenchStack } from "../bench-stack.ts";
import { benchSenders } from "../bench-stack.ts";
import { round } from "../stats.ts";
import { asDemoOwner } from "./bulk-insert.ts";
const ukSender = "+447700900081";

export interface RoutingResult {
  rows: number;
  rounds: number;
  insertRowsPerSecond: { explicit: number; routed: number; quietMoved: number };
  claimRowsPerSecond: { quietOff: number; quietOn: number };
}

type InsertVariant = "explicit" | "routed" | "quietMoved";

async function insertAsMember(stack: BenchStack, rows: number, variant: InsertVariant): Promise<number> {
  await stack.clearJobs();
  const sql = postgres(stack.url, { max: 1, onnotice: () => undefined });
  const started = Date.now();
  try {
    for (let offset = 0; offset < rows; offset += 1_000) {
      // Half UK recipients (a sender of their country), half Australian (none: default).
      const chunk = Array.from({ length: Math.min(1_000, rows - offset) }, (_, i) => {
        const n = offset + i;
        return {
          workspace_id: "ws_demo",
          to_phone: n % 2 === 0 ? `+4479${String(n).padStart(8, "0")}` : `+614${String(n).padStart(8, "0")}`,
          body: `Offer ${n}`,
          from_number: variant === "explicit" ? "+15005550006" : null,
          category: variant === "quietMoved" ? "marketing" : "transactional",
        };
      });
      await asDemoOwner(sql, async (tx) => {
        await tx`
          insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, from_number, category)
          select workspace_id, to_phone, body, from_number, category
          from jsonb_populate_recordset(null::public.scheduled_sms_jobs, ${tx.json(chunk)})`;
      });
    }
  } finally {
    await sql.end();
  }
  const seconds = (Date.now() - started) / 1000;
  if (variant === "quietMoved") {
    const [moved] = await stack.sql<{ n: number }[]>`
      select count(*)::int as n from public.scheduled_sms_jobs where status_reason = 'quiet_hours'`;
    if (moved?.n !== rows) throw new Error(`expected ${rows} messages moved by quiet hours, found ${moved?.n}`);
  }
  return rows / seconds;
}

/** Claims `rows` due marketing messages in claims of 1,000; the senders' slots are freed before each claim. */
async function claimAll(stack: BenchStack, rows: number): Promise<number> {
  await stack.clearJobs();
  await stack.sql`
    insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, from_number, category)
    select 'ws_demo', '+4479' || lpad(g::text, 8, '0'), 'Offer ' || g, (${benchSenders}::text[])[1 + g % ${benchSenders.length}], 'marketing'
    from generate_series(1, ${rows}) g`;
  await stack.sql`analyze public.scheduled_sms_jobs`;
  let claimed = 0;
  const started = Date.now();
  while (claimed < rows) {
    await stack.sql`update private.sender_pacing set next_slot_at = '-infinity'`;
    const [row] = await stack.sql<{ n: number }[]>`select count(*)::int as n from private.claim_due_jobs('bench-routing', 1000, 60, 0)`;
    if (!row || row.n === 0) throw new Error(`claims stopped after ${claimed} of ${rows}`);
    claimed += row.n;
  }
  return rows / ((Date.now() - started) / 1000);
}

async function setQuietHours(stack: BenchStack, state: "off" | "closed" | "open"): Promise<void> {
  // Windows relative to London's clock now: closed opens in an hour, open closes in an hour.
  await stack.sql`
    update public.workspace_settings
    set quiet_hours_enabled = ${state !== "off"},
        quiet_hours_start = ((now() at time zone 'Europe/London') + case when ${state} = 'closed' then interval '1 hour' else interval '-1 hour' end)::time(0),
        quiet_hours_end = ((now() at time zone 'Europe/London') + case when ${state} = 'closed' then interval '2 hours' else interval '1 hour' end)::time(0)
    where workspace_id = 'ws_demo'`;
}

export async function measureRouting(stack: BenchStack, rows: number, rounds: number): Promise<RoutingResult> {
  await stack.sql`
    insert into public.workspace_senders (sender, workspace_id, label, messages_per_second)
    values (${ukSender}, 'ws_demo', 'bench UK line', private.limit_value('sender_rate_max'))
    on conflict (sender) do nothing`;
  const best = { explicit: 0, routed: 0, quietMoved: 0, quietOff: 0, quietOn: 0 };
  try {
    for (let r = 0; r < rounds; r++) {
      await setQuietHours(stack, "off");
      best.explicit = Math.max(best.explicit, await insertAsMember(stack, rows, "explicit"));
      best.routed = Math.max(best.routed, await insertAsMember(stack, rows, "routed"));
      await setQuietHours(stack, "closed");
      best.quietMoved = Math.max(best.quietMoved, await insertAsMember(stack, rows, "quietMoved"));
      await setQuietHours(stack, "off");
      best.quietOff = Math.max(best.quietOff, await claimAll(stack, rows));
      await setQuietHours(stack, "open");
      best.quietOn = Math.max(best.quietOn, await claimAll(stack, rows));
    }
  } finally {
    await setQuietHours(stack, "off");
    await stack.clearJobs();
    await stack.sql`delete from public.workspace_senders where sender = ${ukSender}`;
  }
  return {
    rows,
    rounds,
    insertRowsPerSecond: { explicit: round(best.explicit, 0), routed: round(best.routed, 0), quietMoved: round(best.quietMoved, 0) },
    claimRowsPerSecond: { quietOff: round(best.quietOff, 0), quietOn: round(best.quietOn, 0) },
  };
}
