// dev/twilio-simulator/main.ts as `npm start` runs it: port and accounts from the environment,
// stops cleanly on SIGTERM.
import { spawn } from "node:child_process";
import path from "node:path";
import { expect, it } from "vitest";
import { createTwilioClient } from "../../delivery/twilio/client.ts";

const root = path.resolve(import.meta.dirname, "../..");

it("serves the accounts given in TWILIO_SIMULATOR_ACCOUNTS and exits on SIGTERM", async () => {
  const child = spawn(path.join(root, "node_modules/.bin/tsx"), [path.join(root, "dev/twilio-simulator/main.ts")], {
    env: { ...process.env, TWILIO_SIMULATOR_PORT: "0", TWILIO_SIMULATOR_ACCOUNTS: JSON.stringify({ AC00000000000000000000000000000042: "entry-token" }) },
    stdio: ["ignore", "pipe", "inherit"],
  });
  try {
    const url = await new Promise<string>((resolve, reject) => {
      let output = "";
      child.stdout.on("data", (chunk: Buffer) => {
        output += chunk.toString();
        const match = /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output);
        if (match?.[1] !== undefined) resolve(match[1]);
      });
      child.once("exit", (code) => reject(new Error(`simulator exited with ${code}: ${output}`)));
    });
    const client = createTwilioClient({ accountSid: "AC00000000000000000000000000000042", authToken: "entry-token", apiBaseUrl: url });
    const message = await client.messages.create({ to: "+61412345678", from: "+15005550006", body: "from main" });
    expect(message.status).toBe("queued");
    const inspected = await (await fetch(`${url}/__simulator/messages`)).json() as { messages: { sid: string }[] };
    expect(inspected.messages.map((m) => m.sid)).toEqual([message.sid]);
  } finally {
    const exited = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
  }
});
