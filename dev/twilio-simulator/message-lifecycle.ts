// Moves an accepted message through its statuses (queued → sent → delivered, or → undelivered /
// failed) on timers, updating what fetch/list show, and queues a status callback for each status
// when the message has a StatusCallback URL. Tracks outstanding work so tests can await idle().
import type { CallbackRecord, CallbackDispatcher } from "./status-callbacks.ts";
import type { MessageStatus, StoredMessage } from "./message-resource.ts";
import { apiVersion, priceOf } from "./message-resource.ts";
import { magicValidSender } from "./magic-test-numbers.ts";
import { pickDuration, type CallbackSettings, type DeliveryOutcome } from "./simulator-config.ts";

const defaultErrorCodes = { undelivered: 30003, failed: 30008 } as const;

/** The statuses a message reports after creation, for the way it ends. */
function statusesFor(outcome: DeliveryOutcome): MessageStatus[] {
  if (outcome.status === "failed") return ["queued", "failed"];
  return ["queued", "sent", outcome.status];
}

function shuffled<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

/** Twilio's status callback parameters for an outbound message. */
export function callbackParams(message: StoredMessage, status: MessageStatus, errorCode: number | null): Record<string, string> {
  const params: Record<string, string> = {
    AccountSid: message.accountSid,
    ApiVersion: apiVersion,
    From: message.from ?? "",
    MessageSid: message.sid,
    MessageStatus: status,
    SmsSid: message.sid,
    SmsStatus: status,
    To: message.to,
  };
  if (message.messagingServiceSid !== null) params.MessagingServiceSid = message.messagingServiceSid;
  if (errorCode !== null) params.ErrorCode = String(errorCode);
  // The price, once known (the message has left Twilio), on a final status's callback.
  const price = priceOf(message);
  if (price !== null && (status === "delivered" || status === "undelivered")) {
    params.Price = price;
    params.PriceUnit = "USD";
  }
  return params;
}

export class MessageLifecycles {
  private readonly timers = new Set<NodeJS.Timeout>();
  private pending = 0;
  private idleWaiters: (() => void)[] = [];
  private stopped = false;
  /** Bumped by cancelAll(), so callbacks queued before a reset are dropped. */
  private generation = 0;

  constructor(private readonly dispatcher: CallbackDispatcher) {}

  /** Starts a message's lifecycle. The callback settings are read once, at acceptance. */
  start(message: StoredMessage, authToken: string, outcome: DeliveryOutcome, settings: CallbackSettings,
    onCallback: (record: CallbackRecord) => void): void {
    const statuses = statusesFor(outcome);
    const finalErrorCode = outcome.status === "delivered" ? null : outcome.errorCode ?? defaultErrorCodes[outcome.status];
    const url = message.statusCallback;
    const held: { status: MessageStatus; errorCode: number | null }[] = [];
    let chain: Promise<unknown> = Promise.resolve();
    const generation = this.generation;

    const sendCallbacks = (items: { status: MessageStatus; errorCode: number | null }[]) => {
      if (url === null) return;
      for (const item of items) {
        const copies = Math.random() < settings.duplicateRate ? 2 : 1;
        for (let copy = 0; copy < copies; copy++) {
          this.pending += 1;
          // Chained per message: a message's callbacks arrive in the order handed over here.
          chain = chain.then(async () => {
            if (generation !== this.generation || this.stopped) return;
            await this.dispatcher.send({
              messageSid: message.sid,
              accountSid: message.accountSid,
              authToken,
              url,
              status: item.status,
              params: callbackParams(message, item.status, item.errorCode),
              duplicate: copy > 0,
            }, onCallback);
          }).finally(() => this.done());
        }
      }
    };

    const advance = (index: number) => {
      const status = statuses[index];
      if (status === undefined || this.stopped) return;
      const isLast = index === statuses.length - 1;
      const errorCode = isLast ? finalErrorCode : null;
      const now = new Date();
      message.status = status;
      message.dateUpdated = now;
      // A Messaging Service picks its sender when the message leaves "accepted".
      if (status === "queued") message.from ??= magicValidSender;
      if (status === "sent" || status === "delivered" || status === "undelivered") message.dateSent ??= now;
      if (errorCode !== null) message.errorCode = errorCode;

      if (settings.order === "in-order") sendCallbacks([{ status, errorCode }]);
      else {
        held.push({ status, errorCode });
        if (isLast) sendCallbacks(settings.order === "reversed" ? held.reverse() : shuffled(held));
      }
      if (!isLast) this.after(pickDuration(settings.statusDelayMs), () => advance(index + 1));
    };

    // "queued" is reached as soon as the create request is answered.
    this.after(0, () => advance(0));
  }

  /** Resolves when no status change or callback is outstanding. */
  idle(): Promise<void> {
    if (this.pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Abandons every lifecycle in progress (status changes and callbacks not yet sent). */
  cancelAll(): void {
    this.generation += 1;
    for (const timer of this.timers) clearTimeout(timer);
    this.pending -= this.timers.size;
    this.timers.clear();
    if (this.pending <= 0) {
      this.pending = 0;
      for (const wake of this.idleWaiters.splice(0)) wake();
    }
  }

  stop(): void {
    this.stopped = true;
    this.cancelAll();
  }

  private after(delayMs: number, run: () => void): void {
    this.pending += 1;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      try { run(); } finally { this.done(); }
    }, delayMs);
    this.timers.add(timer);
  }

  private done(): void {
    if (this.pending > 0) this.pending -= 1;
    if (this.pending === 0) for (const wake of this.idleWaiters.splice(0)) wake();
  }
}
