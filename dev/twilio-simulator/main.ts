// Runs the Twilio simulator as a process (for `npm start` and by hand):
//   tsx dev/twilio-simulator/main.ts ['{"accounts":{"AC…":"token"},"apiKeys":{…},"config":{…}}']
// Environment: TWILIO_SIMULATOR_PORT (default 54330); TWILIO_SIMULATOR_ACCOUNTS (JSON AccountSid →
// auth token); TWILIO_SIMULATOR_CONFIG (JSON configuration patch); else TWILIO_ACCOUNT_SID and
// TWILIO_AUTH_TOKEN; else the fixed local development account below.
import { startTwilioSimulator, type TwilioSimulatorOptions } from "./start-twilio-simulator.ts";
import { localDevelopmentAccount } from "./local-development-account.ts";

function parseJson(name: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${name} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

function isRecordOfStrings(value: unknown): value is Record<string, string> {
  return typeof value === "object" && value !== null && !Array.isArray(value)
    && Object.values(value).every((v) => typeof v === "string");
}

function optionsFromEnvironment(): TwilioSimulatorOptions {
  const rawPort = process.env.TWILIO_SIMULATOR_PORT;
  const port = rawPort === undefined || rawPort === "" ? 54330 : Number(rawPort);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`TWILIO_SIMULATOR_PORT must be a port number, got ${rawPort}`);

  // The argument, when given, is the whole options object; the environment fills what it lacks.
  const arg = process.argv[2];
  const fromArg = (arg === undefined ? {} : parseJson("the argument", arg)) as Partial<TwilioSimulatorOptions>;

  let accounts = fromArg.accounts;
  if (accounts === undefined && process.env.TWILIO_SIMULATOR_ACCOUNTS) {
    const parsed = parseJson("TWILIO_SIMULATOR_ACCOUNTS", process.env.TWILIO_SIMULATOR_ACCOUNTS);
    if (!isRecordOfStrings(parsed)) throw new Error("TWILIO_SIMULATOR_ACCOUNTS must map AccountSid to auth token");
    accounts = parsed;
  }
  if (accounts === undefined && process.env.TWILIO_ACCOUNT_SID && process.env.TWILIO_AUTH_TOKEN) {
    accounts = { [process.env.TWILIO_ACCOUNT_SID]: process.env.TWILIO_AUTH_TOKEN };
  }
  accounts ??= { [localDevelopmentAccount.accountSid]: localDevelopmentAccount.authToken };

  const config = fromArg.config ?? (process.env.TWILIO_SIMULATOR_CONFIG
    ? parseJson("TWILIO_SIMULATOR_CONFIG", process.env.TWILIO_SIMULATOR_CONFIG) as TwilioSimulatorOptions["config"]
    : undefined);
  return {
    accounts,
    port: fromArg.port ?? port,
    ...(fromArg.apiKeys === undefined ? {} : { apiKeys: fromArg.apiKeys }),
    ...(config === undefined ? {} : { config }),
  };
}

const options = optionsFromEnvironment();
const simulator = await startTwilioSimulator(options);
console.log(`Twilio simulator listening on ${simulator.url} (accounts: ${Object.keys(options.accounts).join(", ")}; control API: ${simulator.url}/__simulator/)`);

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void simulator.stop().then(() => process.exit(0));
  });
}
