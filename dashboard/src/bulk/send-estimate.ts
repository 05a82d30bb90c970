// How long a bulk send takes at its sender's pace (issue 14): the sender sends `messagesPerSecond`
// message segments a second less the pacing headroom (send slots are that much wider), after what
// is already waiting for it.
import type { SenderView } from "../../../supabase/functions/_shared/api-types.ts";
import { databaseLimits } from "../../../supabase/functions/_shared/limits.ts";

/** The share of a sender's rate its send slots are given at. */
const slotShare = 1 - databaseLimits.sender_pacing_headroom_percent / 100;

/** Twilio's longest ValidityPeriod (10 h): a message queued longer is dropped (30001 / 30036). */
export const longestValiditySeconds = 36_000;

export interface SendEstimate {
  /** Seconds until the last of these messages is sent. */
  seconds: number;
  /** Seconds of it spent on the sender's current backlog. */
  backlogSeconds: number;
  /** Longer than the messages may wait (their validity, or Twilio's longest). */
  tooLong: boolean;
}

export function estimateSend(sender: SenderView, messages: number, segmentsEach: number,
  validitySeconds = longestValiditySeconds): SendEstimate {
  const backlogSeconds = sender.drainSeconds;
  const seconds = backlogSeconds + (messages * Math.max(1, segmentsEach)) / (sender.messagesPerSecond * slotShare);
  return { seconds, backlogSeconds, tooLong: seconds > validitySeconds };
}

/** "45 s", "12 min", "3 h 20 min". */
export function formatDuration(seconds: number): string {
  if (seconds < 90) return `${Math.max(1, Math.round(seconds))} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 90) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  return minutes % 60 === 0 ? `${hours} h` : `${hours} h ${minutes % 60} min`;
}
