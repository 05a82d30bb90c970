// The simulator's own API under /__simulator/, for tests and people running the stack locally:
// read and change the configuration, inspect what was received, reset.
//   GET  /__simulator/health          {"ok": true}
//   GET  /__simulator/config          current configuration and the scripted steps left
//   POST /__simulator/config          JSON patch of the configuration (see simulator-config.ts)
//   POST /__simulator/reset           forget everything, restore the start configuration
//   GET  /__simulator/messages        accepted messages (?to=&from=&accountSid= filters)
//   GET  /__simulator/requests        every Messages create request and its answer
//   GET  /__simulator/callbacks       every status callback sent, with its HTTP result
//   GET  /__simulator/idle            answers once no status change or callback is outstanding
//   POST /__simulator/inbound         a recipient texts a number: posts Twilio's signed incoming-message
//                                     webhook to `url` and answers what it got (inbound-messages.ts)
import type { ServerResponse } from "node:http";
import { ZodError } from "zod";
import type { TwilioSimulator } from "./twilio-simulator.ts";
import { sendJson } from "./http-io.ts";
import { sendInboundMessage } from "./inbound-messages.ts";

export const controlPrefix = "/__simulator/";

export async function handleControlApi(sim: TwilioSimulator, method: string, url: URL, body: string,
  response: ServerResponse): Promise<void> {
  const route = `${method} ${url.pathname.slice(controlPrefix.length - 1)}`;
  switch (route) {
    case "GET /health":
      return sendJson(response, 200, { ok: true, messages: sim.store.count() });
    case "GET /config":
      return sendJson(response, 200, { config: sim.config, remainingScriptedOutcomes: sim.scripts.snapshot() });
    case "POST /config": {
      let patch: unknown;
      try {
        patch = body === "" ? {} : JSON.parse(body);
      } catch {
        return sendJson(response, 400, { error: "body is not JSON" });
      }
      try {
        // The zod schema inside configure() is what checks the shape of this untyped JSON.
        return sendJson(response, 200, { config: sim.configure(patch as Parameters<TwilioSimulator["configure"]>[0]) });
      } catch (error) {
        if (error instanceof ZodError) return sendJson(response, 400, { error: "invalid configuration", issues: error.issues });
        throw error;
      }
    }
    case "POST /reset":
      sim.reset();
      return sendJson(response, 200, { ok: true });
    case "GET /messages": {
      const q = url.searchParams;
      const filter = {
        ...(q.has("to") ? { to: q.get("to") as string } : {}),
        ...(q.has("from") ? { from: q.get("from") as string } : {}),
        ...(q.has("accountSid") ? { accountSid: q.get("accountSid") as string } : {}),
      };
      return sendJson(response, 200, { messages: sim.store.list(filter) });
    }
    case "GET /requests":
      return sendJson(response, 200, { requests: sim.store.createRequests() });
    case "GET /callbacks":
      return sendJson(response, 200, { callbacks: sim.callbacks.all() });
    case "POST /inbound": {
      let request: unknown;
      try {
        request = JSON.parse(body);
      } catch {
        return sendJson(response, 400, { error: "body is not JSON" });
      }
      try {
        // The zod schema inside sendInboundMessage() checks the shape of this untyped JSON.
        const delivery = await sendInboundMessage(request as Parameters<typeof sendInboundMessage>[0],
          (accountSid) => sim.credentials.authToken(accountSid));
        return sendJson(response, 200, delivery);
      } catch (error) {
        if (error instanceof ZodError) return sendJson(response, 400, { error: "invalid inbound message", issues: error.issues });
        return sendJson(response, 502, { error: error instanceof Error ? error.message : String(error) });
      }
    }
    case "GET /idle":
      await sim.idle();
      return sendJson(response, 200, { ok: true });
    default:
      return sendJson(response, 404, { error: `no control endpoint ${method} ${url.pathname}` });
  }
}
