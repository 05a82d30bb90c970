// The delivery core's MessageSender over the twilio SDK (real Twilio, or the simulator when given
// its apiBaseUrl). One SDK client per Twilio account, region and edge, reused across sends.
import type twilio from "twilio";
import { createTwilioClient, TwilioApiError } from "./client.ts";
import { deliveryLimits } from "../limits.ts";
import {
  type AcceptedMessage, type MessageSender, type OutgoingMessage, SendError, type TwilioCredentials,
} from "../types.ts";

export interface TwilioSenderOptions {
  /** Twilio's API base URL (e.g. the simulator's); undefined: real Twilio. */
  apiBaseUrl?: string | undefined;
  timeoutMs?: number;
}

function toSendError(error: unknown): SendError {
  if (error instanceof TwilioApiError) {
    return new SendError({
      httpStatus: error.status,
      ...(typeof error.code === "number" ? { twilioCode: error.code } : {}),
      message: error.message || `Twilio answered HTTP ${error.status}`,
      ...(error.retryAfterSeconds === undefined ? {} : { retryAfterSeconds: error.retryAfterSeconds }),
    });
  }
  // No answer (connection refused, reset, timeout): the message may or may not have been sent.
  const detail = error instanceof Error ? error.message : String(error);
  return new SendError({ message: `no answer from Twilio (${detail}); the message may have been sent` });
}

export function createTwilioSender(options: TwilioSenderOptions = {}): MessageSender {
  const clients = new Map<string, twilio.Twilio>();
  const clientFor = (credentials: TwilioCredentials): twilio.Twilio => {
    // The region and edge are part of the client (the SDK builds its host from them): a workspace
    // that changes them gets a new client, and two workspaces of one account in two regions two.
    const key = `${credentials.accountSid}:${credentials.authToken}:${credentials.region ?? ""}:${credentials.edge ?? ""}`;
    let client = clients.get(key);
    if (!client) {
      client = createTwilioClient({
        accountSid: credentials.accountSid,
        authToken: credentials.authToken,
        timeoutMs: options.timeoutMs ?? deliveryLimits.twilio_request_timeout_ms,
        apiBaseUrl: options.apiBaseUrl,
        region: credentials.region,
        edge: credentials.edge,
      });
      clients.set(key, client);
    }
    return client;
  };

  return {
    async send(credentials: TwilioCredentials, message: OutgoingMessage): Promise<AcceptedMessage> {
      const sender = message.from.startsWith("MG") ? { messagingServiceSid: message.from } : { from: message.from };
      try {
        const created = await clientFor(credentials).messages.create({
          to: message.to,
          ...sender,
          body: message.body,
          ...(message.mediaUrls.length > 0 ? { mediaUrl: message.mediaUrls } : {}),
          ...(message.statusCallbackUrl ? { statusCallback: message.statusCallbackUrl } : {}),
          ...(message.validityPeriodSeconds === undefined ? {} : { validityPeriod: message.validityPeriodSeconds }),
        });
        const numSegments = Number.parseInt(created.numSegments, 10);
        // A price in the answer is rare (Twilio prices a message once it has left), but recorded when there.
        const price = created.price !== null && created.price !== undefined && created.price !== "" && created.priceUnit
          ? { amount: String(created.price), unit: created.priceUnit.toUpperCase() } : null;
        return { sid: created.sid, status: created.status, numSegments: numSegments > 0 ? numSegments : null, price };
      } catch (error) {
        throw toSendError(error);
      }
    },
  };
}
