// Schedule requests per second through the real local HTTP stack (Deno functions server).
import autocannon from "autocannon";
import { signUserToken } from "../../dev/access-token.ts";
import { startFunctionsServer } from "../../dev/functions-process.ts";
import { localAuth } from "../../dev/local-env.ts";
import type { BenchStack } from "../bench-stack.ts";
import { round } from "../stats.ts";

export interface ApiResult {
  endpoint: string;
  connections: number;
  seconds: number;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  non2xx: number;
  errors: number;
}

export async function measureApi(stack: BenchStack, connections: number, seconds: number): Promise<ApiResult> {
  await stack.clearJobs();
  const server = await startFunctionsServer({
    functionsPort: 0, apiPort: 0,
    env: { SUPABASE_DB_URL: stack.url, SUPABASE_JWT_SECRET: localAuth.jwtSecret },
  });
  try {
    const token = await signUserToken({ userId: "00000000-0000-4000-8000-000000000001", email: "owner@demo.test" });
    const url = `${server.apiUrl}/trigger/schedule-delay`;
    const result = await autocannon({
      url,
      method: "POST",
      connections,
      duration: seconds,
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ to: "+61412345678", body: "Hello from delay scheduler", workspaceId: "ws_demo", delayMinutes: 60 }),
    });
    return {
      endpoint: "POST /api/trigger/schedule-delay",
      connections,
      seconds,
      requestsPerSecond: round(result.requests.average, 0),
      latencyP50Ms: result.latency.p50,
      latencyP99Ms: result.latency.p99,
      non2xx: result.non2xx,
      errors: result.errors,
    };
  } finally {
    await server.stop();
  }
}
