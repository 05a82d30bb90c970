// One POST schedule-bulk of 10,000 personalised recipients (a template, each recipient with its own
// variables and metadata) over the real HTTP stack: the time from sending the request to having read
// the whole answer, and rows created per second. Repeated a few times (the jobs cleared between
// runs, so every run inserts into the same table size); the first run also warms the server up.
import { signUserToken } from "../../dev/access-token.ts";
import { startFunctionsServer } from "../../dev/functions-process.ts";
import { localAuth } from "../../dev/local-env.ts";
import { apiLimits } from "../../supabase/functions/_shared/limits.ts";
import type { BenchStack } from "../bench-stack.ts";
import { distribution, type Distribution, round } from "../stats.ts";

export interface BulkSendResult {
  recipients: number;
  requestBytes: number;
  runs: number;
  /** Request sent → answer read, per run (ms). */
  answerMs: Distribution;
  /** Recipients scheduled per second of the fastest run. */
  rowsPerSecond: number;
}

function personalisedRequest(templateId: string, recipients: number): string {
  return JSON.stringify({
    workspaceId: "ws_demo",
    templateId,
    delayMinutes: 60,
    variables: { time: "5pm" },
    metadata: { campaign: "bench" },
    recipients: Array.from({ length: recipients }, (_, i) => ({
      to: `+6141${String(i).padStart(7, "0")}`,
      variables: { first_name: `Person ${i}`, code: String(100_000 + i) },
      metadata: { customer: `c${i}` },
    })),
  });
}

export async function measureBulkSend(stack: BenchStack, runs = 3, recipients: number = apiLimits.bulk_recipients_max): Promise<BulkSendResult> {
  await stack.clearJobs();
  const server = await startFunctionsServer({
    functionsPort: 0, apiPort: 0,
    env: { SUPABASE_DB_URL: stack.url, SUPABASE_JWT_SECRET: localAuth.jwtSecret },
  });
  const name = `Bench bulk ${Date.now()}`;
  try {
    const token = await signUserToken({ userId: "00000000-0000-4000-8000-000000000001", email: "owner@demo.test" });
    const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
    const created = await fetch(`${server.apiUrl}/trigger/create-template`, {
      method: "POST", headers,
      body: JSON.stringify({ workspaceId: "ws_demo", name, body: "Hi {{ first_name }}, your code is {{ code }}; see you at {{ time }}.",
        variables: [{ name: "first_name", required: true }, { name: "code", required: true }, { name: "time" }] }),
    });
    const templateId = String(((await created.json()) as { data: { templateId: string } }).data.templateId);
    const body = personalisedRequest(templateId, recipients);
    const timings: number[] = [];
    for (let run = 0; run < runs; run++) {
      await stack.clearJobs();
      const started = performance.now();
      const response = await fetch(`${server.apiUrl}/trigger/schedule-bulk`, { method: "POST", headers, body });
      const answer = (await response.json()) as { data?: { accepted: number } };
      const elapsed = performance.now() - started;
      if (response.status !== 200 || answer.data?.accepted !== recipients) {
        throw new Error(`schedule-bulk answered ${response.status}: ${JSON.stringify(answer).slice(0, 300)}`);
      }
      timings.push(round(elapsed, 0));
    }
    return {
      recipients,
      requestBytes: Buffer.byteLength(body),
      runs,
      answerMs: distribution(timings),
      rowsPerSecond: round(recipients / (Math.min(...timings) / 1000), 0),
    };
  } finally {
    await server.stop();
    // Jobs first (they reference their batches), then the batches (they reference the template).
    await stack.clearJobs();
    await stack.sql`delete from public.sms_batches`;
    await stack.sql`delete from public.message_templates where name = ${name}`;
  }
}
