// Shared test fixtures: a simulator on a free port, SDK clients through the adapter, and a local
// HTTP server that records the status callbacks it receives.
import http from "node:http";
import type { AddressInfo } from "node:net";
import { startTwilioSimulator, type RunningTwilioSimulator } from "../../dev/twilio-simulator/start-twilio-simulator.ts";
import type { SimulatorConfigPatch } from "../../dev/twilio-simulator/simulator-config.ts";
import { createTwilioClient, type TwilioClientOptions } from "../../delivery/twilio/client.ts";

export const accountSid = "AC0123456789abcdef0123456789abcdef";
export const authToken = "test-auth-token-1";
export const otherAccountSid = "ACfedcba9876543210fedcba9876543210";
export const otherAuthToken = "test-auth-token-2";
export const apiKeySid = "SK0123456789abcdef0123456789abcdef";
export const apiKeySecret = "api-key-secret";
export const validSender = "+15005550006";

export function startSimulator(config: SimulatorConfigPatch = {}): Promise<RunningTwilioSimulator> {
  return startTwilioSimulator({
    accounts: { [accountSid]: authToken, [otherAccountSid]: otherAuthToken },
    apiKeys: { [apiKeySid]: { accountSid, secret: apiKeySecret } },
    config: { callbacks: { statusDelayMs: 5 }, ...config },
  });
}

export function clientFor(simulator: RunningTwilioSimulator, options: Partial<TwilioClientOptions> = {}) {
  return createTwilioClient({ accountSid, authToken, apiBaseUrl: simulator.url, ...options });
}

export interface ReceivedCallback {
  /** The full URL the simulator posted to (what it signed). */
  url: string;
  signature: string | undefined;
  contentType: string | undefined;
  params: Record<string, string>;
  receivedAt: number;
}

export interface CallbackReceiver {
  url: string;
  received: ReceivedCallback[];
  /** Resolves when at least `count` callbacks arrived (rejects after timeoutMs). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedCallback[]>;
  close(): Promise<void>;
}

/** A status-callback endpoint; `answer` decides each response (default 204 at once). */
export async function startCallbackReceiver(
  answer: (request: http.IncomingMessage, response: http.ServerResponse) => void = (_req, res) => { res.writeHead(204).end(); },
): Promise<CallbackReceiver> {
  const received: ReceivedCallback[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  let base = "";
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => {
      received.push({
        url: base + (request.url ?? "/"),
        signature: request.headers["x-twilio-signature"] as string | undefined,
        contentType: request.headers["content-type"],
        params: Object.fromEntries(new URLSearchParams(Buffer.concat(chunks).toString("utf8"))),
        receivedAt: Date.now(),
      });
      for (const waiter of [...waiters]) {
        if (received.length >= waiter.count) {
          waiters.splice(waiters.indexOf(waiter), 1);
          waiter.resolve();
        }
      }
      answer(request, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: base,
    received,
    waitFor(count, timeoutMs = 5_000) {
      if (received.length >= count) return Promise.resolve(received);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`only ${received.length} of ${count} callbacks arrived`)), timeoutMs);
        waiters.push({ count, resolve: () => { clearTimeout(timer); resolve(received); } });
      });
    },
    close() {
      return new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}

/** The rejection of a promise, failing the test if it resolves. */
export async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error("expected the promise to reject");
}
