// Everything the simulator received, in memory: accepted messages (with the form parameters as
// sent, the receive time and the callbacks sent for them) and a log of every Messages create
// request with its answer, so tests can count attempts that were refused too.
import type { CallbackRecord } from "./status-callbacks.ts";
import type { StoredMessage } from "./message-resource.ts";

/** Form parameters as received; repeated names (MediaUrl) keep every value. */
export type FormParams = Record<string, string | string[]>;

/** An accepted message, as kept for inspection. */
export interface ReceivedMessage extends StoredMessage {
  /** Epoch milliseconds when the create request arrived (before any injected latency). */
  receivedAt: number;
  /** The Twilio API host the request was for (e.g. api.sydney.au1.twilio.com): see apiHostOf. */
  apiHost: string;
  params: FormParams;
  callbacks: CallbackRecord[];
}

/** One Messages create request and how the simulator answered it. */
export interface CreateRequestRecord {
  receivedAt: number;
  /** The Twilio API host the request was for; a host Twilio does not answer on is refused (404 / 20404). */
  apiHost: string;
  accountSid: string | null;
  to: string | null;
  from: string | null;
  /** HTTP status answered; null when the request was held and dropped (timeout). */
  responseStatus: number | null;
  /** Twilio error code answered, if any. */
  errorCode: number | null;
  /** The message created, if any (also set for a timeout that created one). */
  messageSid: string | null;
}

export interface MessageFilter {
  accountSid?: string;
  to?: string;
  from?: string;
}

export class MessageStore {
  private readonly messages: ReceivedMessage[] = [];
  private readonly bySid = new Map<string, ReceivedMessage>();
  private readonly requests: CreateRequestRecord[] = [];

  add(message: ReceivedMessage): void {
    this.messages.push(message);
    this.bySid.set(message.sid, message);
  }

  logRequest(record: CreateRequestRecord): void {
    this.requests.push(record);
  }

  get(sid: string): ReceivedMessage | undefined {
    return this.bySid.get(sid);
  }

  /** Messages in the order received. */
  list(filter: MessageFilter = {}): ReceivedMessage[] {
    return this.messages.filter((m) =>
      (filter.accountSid === undefined || m.accountSid === filter.accountSid)
      && (filter.to === undefined || m.to === filter.to)
      && (filter.from === undefined || m.from === filter.from));
  }

  createRequests(): readonly CreateRequestRecord[] {
    return this.requests;
  }

  count(): number {
    return this.messages.length;
  }

  clear(): void {
    this.messages.length = 0;
    this.bySid.clear();
    this.requests.length = 0;
  }
}
