// startTwilioSimulator(): the simulator served over HTTP on a loopback address, with an
// in-process handle for tests (inspect what it received, reconfigure, reset, stop).
import http from "node:http";
import type { AddressInfo } from "node:net";
import { TwilioSimulator } from "./twilio-simulator.ts";
import { BodyTooLargeError, readBody, sendJson } from "./http-io.ts";
import { handleTwilioApi, isTwilioApiPath } from "./twilio-messages-api.ts";
import { controlPrefix, handleControlApi } from "./control-api.ts";
import type { SimulatorCredentials } from "./account-credentials.ts";
import type { SimulatorConfig, SimulatorConfigPatch } from "./simulator-config.ts";
import type { CreateRequestRecord, MessageFilter, ReceivedMessage } from "./message-store.ts";
import type { CallbackRecord } from "./status-callbacks.ts";
import { type InboundDelivery, type InboundMessageRequest, sendInboundMessage } from "./inbound-messages.ts";

export interface TwilioSimulatorOptions extends SimulatorCredentials {
  /** TCP port; 0 (the default) picks a free one. */
  port?: number;
  /** Loopback only: "127.0.0.1" (default) or "::1". */
  host?: "127.0.0.1" | "::1";
  /** Initial behaviour (latency, faults, callbacks…); reset() returns to it. */
  config?: SimulatorConfigPatch;
}

export interface RunningTwilioSimulator {
  /** Base URL to give the twilio SDK adapter, e.g. http://127.0.0.1:54330 */
  url: string;
  port: number;
  /** Messages accepted, in the order received (live objects: status and callbacks keep updating). */
  messages(filter?: MessageFilter): ReceivedMessage[];
  /** Every Messages create request, refused ones included. */
  requests(): readonly CreateRequestRecord[];
  /** Every status callback sent, in the order queued. */
  callbacks(): readonly CallbackRecord[];
  configure(patch: SimulatorConfigPatch): SimulatorConfig;
  config(): SimulatorConfig;
  reset(): void;
  /** Resolves once no status change or status callback is outstanding. */
  idle(): Promise<void>;
  /** A recipient texts one of the account's numbers: Twilio's signed incoming-message webhook to `url`. */
  sendInbound(request: InboundMessageRequest): Promise<InboundDelivery>;
  stop(): Promise<void>;
}

export async function startTwilioSimulator(options: TwilioSimulatorOptions): Promise<RunningTwilioSimulator> {
  const host = options.host ?? "127.0.0.1";
  if (host !== "127.0.0.1" && host !== "::1") throw new Error(`the simulator listens on loopback only, not ${String(host)}`);
  const credentials: SimulatorCredentials = { accounts: options.accounts };
  if (options.apiKeys !== undefined) credentials.apiKeys = options.apiKeys;
  const sim = new TwilioSimulator(credentials, options.config ?? {});

  const server = http.createServer({ keepAliveTimeout: 65_000 }, (request, response) => {
    handle(sim, request, response).catch((error: unknown) => {
      if (error instanceof BodyTooLargeError) return;
      console.error("twilio simulator: request failed", error);
      if (!response.headersSent) sendJson(response, 500, { code: 20500, message: "Internal Server Error", more_info: "https://www.twilio.com/docs/errors/20500", status: 500 });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host === "::1" ? "[::1]" : host}:${port}`;

  return {
    url,
    port,
    messages: (filter) => sim.store.list(filter),
    requests: () => sim.store.createRequests(),
    callbacks: () => sim.callbacks.all(),
    configure: (patch) => sim.configure(patch),
    config: () => sim.config,
    reset: () => sim.reset(),
    idle: () => sim.idle(),
    sendInbound: (request) => sendInboundMessage(request, (accountSid) => sim.credentials.authToken(accountSid)),
    stop: () => {
      sim.stop();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

async function handle(sim: TwilioSimulator, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const url = new URL(request.url ?? "/", "http://simulator");
  const body = request.method === "POST" ? await readBody(request) : "";
  if (isTwilioApiPath(url.pathname)) return handleTwilioApi(sim, request, response, url, body);
  if (url.pathname.startsWith(controlPrefix)) return handleControlApi(sim, request.method ?? "GET", url, body, response);
  sendJson(response, 404, { code: 20404, message: `The requested resource ${url.pathname} was not found`, more_info: "https://www.twilio.com/docs/errors/20404", status: 404 });
}
