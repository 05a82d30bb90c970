// Opt-outs and inbound messages as the API shows them: rows of public.sms_opt_outs,
// public.sms_opt_out_events and public.inbound_messages, camelCase, times with the workspace's offset.
import type { InboundMessageView, OptOutEventView, OptOutView } from "../_shared/api-types.ts";
import { formatInTimeZone } from "../_shared/time.ts";

export interface OptOutRow {
  phone: string;
  source: OptOutView["source"];
  reason: string | null;
  created_by: string | null;
  created_at: Date;
}

export function toOptOutView(row: OptOutRow, timezone: string): OptOutView {
  return {
    phone: row.phone,
    source: row.source,
    reason: row.reason,
    createdTime: formatInTimeZone(row.created_at, timezone),
    createdBy: row.created_by,
  };
}

export interface OptOutEventRow {
  phone: string;
  action: OptOutEventView["action"];
  source: OptOutEventView["source"];
  reason: string | null;
  actor: string | null;
  message_sid: string | null;
  created_at: Date;
}

export function toOptOutEventView(row: OptOutEventRow, timezone: string): OptOutEventView {
  return {
    phone: row.phone,
    action: row.action,
    source: row.source,
    reason: row.reason,
    actor: row.actor,
    messageSid: row.message_sid,
    time: formatInTimeZone(row.created_at, timezone),
  };
}

export interface InboundMessageRow {
  id: string;
  message_sid: string;
  from_phone: string;
  to_number: string;
  messaging_service_sid: string | null;
  body: string;
  num_media: number;
  action: InboundMessageView["action"];
  keyword: string | null;
  effect: InboundMessageView["effect"];
  cancelled_jobs: number;
  received_at: Date;
}

export function toInboundMessageView(row: InboundMessageRow, timezone: string): InboundMessageView {
  return {
    id: row.id,
    messageSid: row.message_sid,
    from: row.from_phone,
    to: row.to_number,
    messagingServiceSid: row.messaging_service_sid,
    body: row.body,
    numMedia: row.num_media,
    action: row.action,
    keyword: row.keyword,
    effect: row.effect,
    cancelledJobs: row.cancelled_jobs,
    receivedTime: formatInTimeZone(row.received_at, timezone),
  };
}
