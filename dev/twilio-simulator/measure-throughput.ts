// How many Messages create requests per second a running simulator accepts over loopback, with
// keep-alive connections. Start the simulator first (tsx dev/twilio-simulator/main.ts), then:
//   tsx dev/twilio-simulator/measure-throughput.ts [--messages 20000] [--connections 32] [--sdk]
//     [--callback-url http://127.0.0.1:PORT/status]
// --sdk sends through the twilio SDK adapter (what the delivery code does) instead of raw HTTP;
// --callback-url asks for status callbacks there (the simulator then also sends 3 per message).
import http from "node:http";
import { parseArgs } from "node:util";
import { createTwilioClient } from "../../delivery/twilio/client.ts";
import { localDevelopmentAccount } from "./local-development-account.ts";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: `http://127.0.0.1:${process.env.TWILIO_SIMULATOR_PORT || 54330}` },
    account: { type: "string", default: localDevelopmentAccount.accountSid },
    token: { type: "string", default: localDevelopmentAccount.authToken },
    messages: { type: "string", default: "20000" },
    connections: { type: "string", default: "32" },
    sdk: { type: "boolean", default: false },
    "callback-url": { type: "string" },
  },
});
const total = Number(values.messages);
const connections = Number(values.connections);
const target = new URL(`/2010-04-01/Accounts/${values.account}/Messages.json`, values.url);
const authorization = "Basic " + Buffer.from(`${values.account}:${values.token}`).toString("base64");
const agent = new http.Agent({ keepAlive: true, maxSockets: connections });
const callbackUrl = values["callback-url"];
const callbackField: Record<string, string> = callbackUrl === undefined ? {} : { StatusCallback: callbackUrl };

function sendRaw(i: number): Promise<number> {
  const body = new URLSearchParams({ To: `+6141${String(i % 10_000_000).padStart(7, "0")}`, From: "+15005550006", Body: `Benchmark message ${i}`, ...callbackField }).toString();
  return new Promise((resolve, reject) => {
    const request = http.request(target, {
      method: "POST", agent,
      headers: { Authorization: authorization, "Content-Type": "application/x-www-form-urlencoded", "Content-Length": Buffer.byteLength(body) },
    }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    request.on("error", reject);
    request.end(body);
  });
}

const client = createTwilioClient({ accountSid: values.account, authToken: values.token, apiBaseUrl: values.url });
async function sendSdk(i: number): Promise<number> {
  await client.messages.create({ to: `+6141${String(i % 10_000_000).padStart(7, "0")}`, from: "+15005550006", body: `Benchmark message ${i}`,
    ...(callbackUrl === undefined ? {} : { statusCallback: callbackUrl }) });
  return 201;
}

const send = values.sdk ? sendSdk : sendRaw;
let next = 0;
let created = 0;
const started = performance.now();
await Promise.all(Array.from({ length: connections }, async () => {
  while (next < total) {
    const status = await send(next++);
    if (status === 201) created += 1;
  }
}));
const seconds = (performance.now() - started) / 1000;
console.log(`${values.sdk ? "twilio SDK" : "raw HTTP"}: ${created}/${total} created in ${seconds.toFixed(2)} s = ${Math.round(total / seconds)} messages/s over ${connections} keep-alive connections`);
agent.destroy();
