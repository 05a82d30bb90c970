// Who may call the simulated API: accounts (AccountSid → auth token) and, optionally, API keys
// (key SID → account and secret), checked from HTTP Basic auth the way Twilio checks them.
import { timingSafeEqual } from "node:crypto";

export interface ApiKeyCredential {
  accountSid: string;
  secret: string;
}

export interface SimulatorCredentials {
  /** AccountSid → auth token. The token also signs the account's status callbacks. */
  accounts: Record<string, string>;
  /** API key SID (SK…) → the account it belongs to and its secret. */
  apiKeys?: Record<string, ApiKeyCredential>;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

export class CredentialChecker {
  // Verified Authorization headers → account; clients resend the same header on every request.
  private readonly verified = new Map<string, string>();
  private readonly accounts: Map<string, string>;
  private readonly apiKeys: Map<string, ApiKeyCredential>;

  constructor(credentials: SimulatorCredentials) {
    this.accounts = new Map(Object.entries(credentials.accounts));
    this.apiKeys = new Map(Object.entries(credentials.apiKeys ?? {}));
    for (const [keySid, key] of this.apiKeys) {
      if (!this.accounts.has(key.accountSid)) throw new Error(`API key ${keySid} belongs to unknown account ${key.accountSid}`);
    }
  }

  authToken(accountSid: string): string | undefined {
    return this.accounts.get(accountSid);
  }

  /** The account an Authorization header authenticates, or null. */
  authenticate(header: string | undefined): string | null {
    if (header === undefined) return null;
    const cached = this.verified.get(header);
    if (cached !== undefined) return cached;
    if (!header.startsWith("Basic ")) return null;
    const decoded = Buffer.from(header.slice(6), "base64").toString("utf8");
    const colon = decoded.indexOf(":");
    if (colon < 0) return null;
    const username = decoded.slice(0, colon);
    const password = decoded.slice(colon + 1);
    let accountSid: string | null = null;
    const token = this.accounts.get(username);
    if (token !== undefined && sameSecret(password, token)) accountSid = username;
    const key = this.apiKeys.get(username);
    if (key !== undefined && sameSecret(password, key.secret)) accountSid = key.accountSid;
    if (accountSid !== null) this.verified.set(header, accountSid);
    return accountSid;
  }
}
