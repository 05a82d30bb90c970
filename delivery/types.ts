// The shapes the delivery core works with.
import type { SendFailure } from "./twilio/error-classification.ts";

/** A job this worker holds the lease on, with what is needed to send it. */
export interface ClaimedJob {
  id: string;
  workspace_id: string;
  to_phone: string;
  from_number: string;
  body: string;
  media_urls: string[];
  attempts: number;
  max_attempts: number;
  /** When this attempt is due (a runner may claim a moment early and waits until then). */
  next_attempt_at: Date;
  /** Not to be handed to Twilio at or after this (null: no expiry). */
  expires_at: Date | null;
}

export interface TwilioCredentials {
  accountSid: string;
  authToken: string;
  /** The workspace's Twilio processing region (workspace_settings.twilio_region); absent: Twilio's default. */
  region?: string | undefined;
  /** The workspace's Twilio edge (workspace_settings.twilio_edge); absent: Twilio's default. */
  edge?: string | undefined;
}

export interface OutgoingMessage {
  to: string;
  /** An E.164 number, or a Messaging Service SID (MG...). */
  from: string;
  body: string;
  mediaUrls: string[];
  statusCallbackUrl?: string;
  /** Twilio's ValidityPeriod (seconds, 1–36000): Twilio drops the message if not sent by then. */
  validityPeriodSeconds?: number;
}

export interface AcceptedMessage {
  sid: string;
  status: string;
  /** The segments Twilio counted (num_segments); null when it did not say yet (0 for a Messaging Service send). */
  numSegments: number | null;
  /** Twilio's price (negative: a charge) and currency when the answer carries one; usually null at "queued". */
  price: { amount: string; unit: string } | null;
}

/** Sends one message; throws SendError when the provider refuses or does not answer. */
export interface MessageSender {
  send(credentials: TwilioCredentials, message: OutgoingMessage): Promise<AcceptedMessage>;
}

export class SendError extends Error {
  constructor(readonly failure: SendFailure) {
    super(failure.message);
    this.name = "SendError";
  }
}

export type JobOutcome = "completed" | "retrying" | "failed";

export interface DeliveryResult {
  jobId: string;
  outcome: JobOutcome;
  errorCode?: string;
  twilioSid?: string;
}
