// Sends status callbacks: signed form-encoded POSTs to a message's StatusCallback URL. Requests go
// out with bounded concurrency through a keep-alive agent; each message's callbacks go one after
// another (in the order the lifecycle hands them over), so "reversed" really arrives reversed.
// Nothing here is awaited by message creation.
import http from "node:http";
import https from "node:https";
import { randomUUID } from "node:crypto";
import { twilioSignature } from "./callback-signature.ts";
import type { MessageStatus } from "./message-resource.ts";

/** One status callback the simulator sent (or tried to), with its HTTP outcome. */
export interface CallbackRecord {
  messageSid: string;
  accountSid: string;
  url: string;
  status: MessageStatus;
  params: Record<string, string>;
  signature: string;
  /** True for the extra copy sent when duplicating callbacks. */
  duplicate: boolean;
  /** Epoch ms when the request started; null while waiting for a free slot. */
  sentAt: number | null;
  /** Epoch ms when the answer (or error) came. */
  completedAt: number | null;
  /** HTTP status of the receiver's answer; null when none came. */
  responseStatus: number | null;
  /** Network error or timeout, when the request failed without an answer. */
  error: string | null;
}

export interface CallbackRequest {
  messageSid: string;
  accountSid: string;
  authToken: string;
  url: string;
  status: MessageStatus;
  params: Record<string, string>;
  duplicate: boolean;
}

export class CallbackDispatcher {
  private readonly records: CallbackRecord[] = [];
  private readonly waiting: (() => void)[] = [];
  private active = 0;
  private readonly httpAgent: http.Agent;
  private readonly httpsAgent: https.Agent;
  private stopped = false;

  constructor(
    private readonly settings: () => { concurrency: number; timeoutMs: number },
  ) {
    this.httpAgent = new http.Agent({ keepAlive: true });
    this.httpsAgent = new https.Agent({ keepAlive: true });
  }

  all(): readonly CallbackRecord[] {
    return this.records;
  }

  clear(): void {
    this.records.length = 0;
  }

  /**
   * Sends one callback when a slot is free; resolves (never rejects) when it is done.
   * `onRecord` sees the record at once, before it is sent.
   */
  async send(request: CallbackRequest, onRecord: (record: CallbackRecord) => void): Promise<CallbackRecord> {
    const record: CallbackRecord = {
      messageSid: request.messageSid,
      accountSid: request.accountSid,
      url: request.url,
      status: request.status,
      params: request.params,
      signature: twilioSignature(request.authToken, request.url, request.params),
      duplicate: request.duplicate,
      sentAt: null,
      completedAt: null,
      responseStatus: null,
      error: null,
    };
    this.records.push(record);
    onRecord(record);
    await this.acquireSlot();
    try {
      if (this.stopped) {
        record.error = "simulator stopped";
        return record;
      }
      record.sentAt = Date.now();
      await this.post(record);
    } finally {
      record.completedAt = Date.now();
      this.releaseSlot();
    }
    return record;
  }

  stop(): void {
    this.stopped = true;
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
    for (const wake of this.waiting.splice(0)) wake();
  }

  private acquireSlot(): Promise<void> {
    if (this.active < this.settings().concurrency || this.stopped) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.waiting.push(() => { this.active += 1; resolve(); }));
  }

  private releaseSlot(): void {
    this.active -= 1;
    if (this.active < this.settings().concurrency) this.waiting.shift()?.();
  }

  private post(record: CallbackRecord): Promise<void> {
    const body = new URLSearchParams(record.params).toString();
    const isHttps = record.url.startsWith("https:");
    return new Promise((resolve) => {
      const request = (isHttps ? https : http).request(record.url, {
        method: "POST",
        agent: isHttps ? this.httpsAgent : this.httpAgent,
        timeout: this.settings().timeoutMs,
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "Content-Length": Buffer.byteLength(body),
          "X-Twilio-Signature": record.signature,
          "I-Twilio-Idempotency-Token": randomUUID(),
          "User-Agent": "TwilioProxy/1.1",
          Accept: "*/*",
        },
      }, (response) => {
        record.responseStatus = response.statusCode ?? null;
        response.resume(); // drain, so the keep-alive socket is reused
        response.on("end", resolve);
        response.on("error", (error) => { record.error = error.message; resolve(); });
      });
      request.on("timeout", () => request.destroy(new Error(`timed out after ${this.settings().timeoutMs} ms`)));
      request.on("error", (error) => { record.error = error.message; resolve(); });
      request.end(body);
    });
  }
}
