// Inbound messages (issue 15), through the real twilio-inbound function (Deno functions server) and
// the bench database, sent by the Twilio simulator as Twilio sends them (signed form posts):
// * throughput: signed incoming-message webhooks (ordinary replies, each a new MessageSid from its
//   own number) at a fixed concurrency; webhooks per second and the answer time;
// * STOP: a recipient with N pending jobs replies STOP; the webhook's answer time is the time to
//   record the opt-out and cancel all N (one transaction, answered after it commits).
import { startFunctionsServer } from "../../dev/functions-process.ts";
import { localAuth } from "../../dev/local-env.ts";
import type { BenchStack } from "../bench-stack.ts";
import { type Distribution, distribution, round } from "../stats.ts";

export interface InboundThroughputResult {
  webhooks: number;
  concurrency: number;
  perSecond: number;
  answerMs: Distribution;
  non200: number;
}

export interface StopCancelResult {
  pendingJobs: number;
  answerMs: number;
  cancelled: number;
}

export interface InboundResult {
  throughput: InboundThroughputResult;
  stop: StopCancelResult[];
}

const demoAccount = `AC${"de".repeat(16)}`;
const demoNumber = "+15005550006";

export async function measureInbound(stack: BenchStack, webhooks: number, concurrency: number, stopSizes: number[]): Promise<InboundResult> {
  const server = await startFunctionsServer({
    functionsPort: 0, apiPort: 0,
    env: { SUPABASE_DB_URL: stack.url, SUPABASE_JWT_SECRET: localAuth.jwtSecret },
  });
  const url = `${server.functionsUrl}/twilio-inbound`;
  try {
    await stack.clearJobs();
    // Warm-up: the function's pool and the plan of its one statement.
    for (let i = 0; i < 20; i++) {
      await stack.simulator.sendInbound({ url, accountSid: demoAccount, from: `+614150${String(i).padStart(5, "0")}`, to: demoNumber, body: "Thanks" });
    }

    const answerMs: number[] = [];
    let non200 = 0;
    let next = 0;
    const started = performance.now();
    await Promise.all(Array.from({ length: concurrency }, async () => {
      for (let i = next++; i < webhooks; i = next++) {
        const sentAt = performance.now();
        const delivery = await stack.simulator.sendInbound({
          url, accountSid: demoAccount, from: `+614160${String(i).padStart(5, "0")}`, to: demoNumber, body: i % 10 === 0 ? "HELP" : "See you at 5",
        });
        answerMs.push(performance.now() - sentAt);
        if (delivery.status !== 200) non200++;
      }
    }));
    const seconds = (performance.now() - started) / 1000;
    const throughput = { webhooks, concurrency, perSecond: round(webhooks / seconds, 0), answerMs: roundDistribution(distribution(answerMs)), non200 };

    const stop: StopCancelResult[] = [];
    for (const [index, size] of stopSizes.entries()) {
      const recipient = `+614170${String(index).padStart(5, "0")}`;
      await stack.sql`
        insert into public.scheduled_sms_jobs (workspace_id, to_phone, body, scheduled_time)
        select 'ws_demo', ${recipient}, 'reminder ' || g, now() + interval '1 day' + g * interval '1 second'
        from generate_series(1, ${size}) g`;
      const sentAt = performance.now();
      const delivery = await stack.simulator.sendInbound({ url, accountSid: demoAccount, from: recipient, to: demoNumber, body: "STOP" });
      const elapsed = performance.now() - sentAt;
      if (delivery.status !== 200) throw new Error(`STOP answered ${delivery.status}: ${delivery.responseBody}`);
      const [row] = await stack.sql<{ cancelled: number }[]>`
        select count(*)::int as cancelled from public.scheduled_sms_jobs
        where to_phone = ${recipient} and status = 'cancelled' and status_reason = 'recipient_opted_out'`;
      stop.push({ pendingJobs: size, answerMs: round(elapsed, 1), cancelled: row?.cancelled ?? 0 });
    }
    await stack.clearJobs();
    return { throughput, stop };
  } finally {
    await server.stop();
  }
}

function roundDistribution(d: Distribution): Distribution {
  return { p50: round(d.p50, 1), p99: round(d.p99, 1), max: round(d.max, 1), count: d.count };
}
