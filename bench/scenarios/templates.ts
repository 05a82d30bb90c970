// Templates over the real HTTP stack: schedule-delay with a plain body and with a template (the
// render's cost per request), preview-message, and the render of the largest template the limits
// allow, in-process, against its time limit.
import autocannon from "autocannon";
import { signUserToken } from "../../dev/access-token.ts";
import { startFunctionsServer } from "../../dev/functions-process.ts";
import { localAuth } from "../../dev/local-env.ts";
import { apiLimits, databaseLimits } from "../../supabase/functions/_shared/limits.ts";
import { renderTemplate, resolveValues, type TemplateVariable } from "../../supabase/functions/_shared/message-templates.ts";
import type { BenchStack } from "../bench-stack.ts";
import { distribution, type Distribution, round } from "../stats.ts";

export interface TemplateRequestResult {
  request: string;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
}

export interface TemplatesResult {
  connections: number;
  seconds: number;
  requests: TemplateRequestResult[];
  /** Requests per second with a template over with a plain body (1 = rendering costs nothing). */
  templateOverPlain: number;
  largestRender: { bodyChars: number; variables: number; renderedChars: number; microseconds: Distribution; limitMs: number };
}

/** The largest template the limits allow: the whole body of merge fields and filters, every variable used. */
function largestTemplate(): { body: string; variables: TemplateVariable[]; values: Record<string, string> } {
  const variables = Array.from({ length: databaseLimits.template_variables_max }, (_, i): TemplateVariable =>
    ({ name: `v${i}`, required: i % 2 === 0, default: i % 2 === 0 ? null : "friend" }));
  const pieces = variables.map((v, i) => (i % 3 === 0 ? `{% if ${v.name} %}{{ ${v.name} | upcase }}{% else %}-{% endif %} ` : `{{ ${v.name} | default: 'x' | truncate: 20 }} `));
  let body = "";
  for (let i = 0; body.length + (pieces[i % pieces.length]?.length ?? 0) <= databaseLimits.template_body_max_chars; i++) body += pieces[i % pieces.length];
  const values = Object.fromEntries(variables.map((v) => [v.name, "y".repeat(databaseLimits.template_value_max_chars)]));
  return { body, variables, values };
}

export async function measureTemplates(stack: BenchStack, connections: number, seconds: number): Promise<TemplatesResult> {
  await stack.clearJobs();
  const server = await startFunctionsServer({
    functionsPort: 0, apiPort: 0,
    env: { SUPABASE_DB_URL: stack.url, SUPABASE_JWT_SECRET: localAuth.jwtSecret },
  });
  const name = `Bench reminder ${Date.now()}`;
  try {
    const token = await signUserToken({ userId: "00000000-0000-4000-8000-000000000001", email: "owner@demo.test" });
    const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
    const created = await fetch(`${server.apiUrl}/trigger/create-template`, {
      method: "POST", headers,
      body: JSON.stringify({ workspaceId: "ws_demo", name, body: "Hi {{ first_name | default: 'there' }}, see you at {{ time }}.",
        variables: [{ name: "first_name" }, { name: "time", required: true }] }),
    });
    const templateId = String(((await created.json()) as { data: { templateId: string } }).data.templateId);
    const message = { to: "+61412345678", workspaceId: "ws_demo", delayMinutes: 60 };
    const cases = [
      { request: "POST schedule-delay, plain body", route: "schedule-delay", body: { ...message, body: "Hi Ann, see you at 5pm." } },
      { request: "POST schedule-delay, template", route: "schedule-delay", body: { ...message, templateId, variables: { first_name: "Ann", time: "5pm" } } },
      { request: "POST preview-message, template", route: "preview-message", body: { workspaceId: "ws_demo", templateId, variables: { time: "5pm" } } },
    ];
    const requests: TemplateRequestResult[] = [];
    for (const c of cases) {
      const result = await autocannon({ url: `${server.apiUrl}/trigger/${c.route}`, method: "POST", connections, duration: seconds, headers, body: JSON.stringify(c.body) });
      requests.push({
        request: c.request, requestsPerSecond: round(result.requests.average, 0),
        latencyP50Ms: result.latency.p50, latencyP99Ms: result.latency.p99, non2xx: result.non2xx,
      });
    }
    const [plain, templated] = requests;
    const largest = largestTemplate();
    const resolved = resolveValues(largest.variables, largest.values);
    let rendered = "";
    const micros: number[] = [];
    for (let i = 0; i < 500; i++) {
      const started = process.hrtime.bigint();
      rendered = renderTemplate(largest.body, largest.variables, resolved);
      micros.push(Number(process.hrtime.bigint() - started) / 1000);
    }
    return {
      connections, seconds, requests,
      templateOverPlain: round((templated?.requestsPerSecond ?? 0) / (plain?.requestsPerSecond ?? 1), 2),
      largestRender: {
        bodyChars: largest.body.length, variables: largest.variables.length, renderedChars: rendered.length,
        microseconds: distribution(micros.map((m) => round(m, 0))), limitMs: apiLimits.template_render_ms,
      },
    };
  } finally {
    await server.stop();
    await stack.clearJobs(); // the jobs made from the template first: they reference it
    await stack.sql`delete from public.message_templates where name = ${name}`;
  }
}
