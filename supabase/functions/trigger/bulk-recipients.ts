// The recipients of a schedule-bulk request, each checked on its own: its number, whether an
// earlier recipient has it, its template values and the body they render, its merged metadata.
// A refusal names that recipient only; the others go on to the database as one batch. Pure (no
// database): opt-outs are looked up for the whole batch afterwards (./bulk-batch.ts), and the
// database's insert trigger still checks every row as it checks every job.
import type { BulkItem } from "../_shared/api-types.ts";
import type { ErrorCode } from "../_shared/error-codes.ts";
import { databaseLimits } from "../_shared/limits.ts";
import { renderTemplate, resolveValues, TemplateRefusal, type TemplateVariable } from "../_shared/message-templates.ts";
import { toE164 } from "../_shared/phone.ts";
import { countSegments, type SmsEncoding } from "../_shared/sms-segments.ts";

export interface BulkRecipient {
  to: string;
  variables?: Record<string, string> | undefined;
  metadata?: Record<string, unknown> | undefined;
}

/** What every recipient shares: a plain body, or a template with shared values; shared metadata. */
export interface SharedContent {
  body: string | null;
  template: { body: string; variables: readonly TemplateVariable[] } | null;
  variables: Readonly<Record<string, string>>;
  metadata: Readonly<Record<string, unknown>>;
}

/** A recipient that passed every check made here: the row its job will be. */
export interface PreparedRecipient {
  index: number;
  to: string;
  body: string;
  /** The recipient's own metadata (the database merges it over the shared one), or null. */
  ownMetadata: Record<string, unknown> | null;
  templateVariables: Record<string, string | null> | null;
  encoding: SmsEncoding;
  segments: number;
}

export interface RefusedRecipient {
  index: number;
  to: string;
  error: { code: ErrorCode; message: string };
}

export interface SortedRecipients {
  prepared: PreparedRecipient[];
  refused: RefusedRecipient[];
}

class RecipientRefusal extends Error {
  constructor(readonly code: ErrorCode, message: string) {
    super(message);
  }
}

const metadataEncoder = new TextEncoder();

/**
 * Each part is within the limit (the request schema); merged they may not be. Only the recipient's
 * own part is sent on: the shared part goes to the database once, not once per recipient.
 */
function checkMergedMetadata(shared: Readonly<Record<string, unknown>>, own: Record<string, unknown> | undefined): Record<string, unknown> | null {
  if (own === undefined) return null;
  if (metadataEncoder.encode(JSON.stringify({ ...shared, ...own })).length > databaseLimits.metadata_max_bytes) {
    throw new RecipientRefusal("invalid_metadata",
      `the shared metadata merged with this recipient's is more than ${databaseLimits.metadata_max_bytes} bytes as JSON`);
  }
  return own;
}

/** Segments of a body, counted once per distinct body (a plain body: once for the whole batch). */
function segmentCounter(): (body: string) => { encoding: SmsEncoding; segments: number } {
  const counted = new Map<string, { encoding: SmsEncoding; segments: number }>();
  return (body) => {
    let count = counted.get(body);
    if (count === undefined) {
      const { encoding, segments } = countSegments(body);
      count = { encoding, segments };
      counted.set(body, count);
    }
    return count;
  };
}

function renderFor(template: NonNullable<SharedContent["template"]>, shared: Readonly<Record<string, string>>,
  own: Record<string, string> | undefined): { body: string; values: Record<string, string | null> } {
  if (own !== undefined) {
    const undeclared = Object.keys(own).filter((name) => !template.variables.some((variable) => variable.name === name));
    if (undeclared.length > 0) {
      throw new RecipientRefusal("validation_failed",
        `${undeclared.map((name) => `variables.${name}`).join(", ")}: not a variable of the template`);
    }
  }
  const resolved = resolveValues(template.variables, own === undefined ? shared : { ...shared, ...own });
  let body: string;
  try {
    body = renderTemplate(template.body, template.variables, resolved);
  } catch (error) {
    if (error instanceof TemplateRefusal) throw new RecipientRefusal(error.code, error.message);
    throw error;
  }
  const characters = [...body].length;
  if (body.trim() === "" || characters > databaseLimits.body_max_chars) {
    throw new RecipientRefusal("invalid_body", body.trim() === ""
      ? "the rendered body is blank"
      : `the rendered body has ${characters} characters, more than the ${databaseLimits.body_max_chars} a message may have`);
  }
  return { body, values: resolved.values };
}

/** Checks every recipient; each is prepared or refused with one error, in input order. */
export function sortRecipients(recipients: readonly BulkRecipient[], shared: SharedContent): SortedRecipients {
  const prepared: PreparedRecipient[] = [];
  const refused: RefusedRecipient[] = [];
  const seen = new Set<string>();
  const segmentsOf = segmentCounter();
  for (const [index, recipient] of recipients.entries()) {
    const to = toE164(recipient.to);
    if (to === null) {
      refused.push({ index, to: recipient.to, error: { code: "validation_failed",
        message: "to: must be a valid phone number in international format, e.g. +61412345678" } });
      continue;
    }
    // The second recipient with a number is the duplicate, whatever became of the first.
    if (seen.has(to)) {
      refused.push({ index, to, error: { code: "duplicate_recipient", message: `${to} is an earlier recipient of this batch` } });
      continue;
    }
    seen.add(to);
    try {
      const ownMetadata = checkMergedMetadata(shared.metadata, recipient.metadata);
      const content = shared.template === null
        ? { body: shared.body ?? "", values: null }
        : renderFor(shared.template, shared.variables, recipient.variables);
      prepared.push({ index, to, body: content.body, ownMetadata, templateVariables: content.values, ...segmentsOf(content.body) });
    } catch (error) {
      if (!(error instanceof RecipientRefusal)) throw error;
      refused.push({ index, to, error: { code: error.code, message: error.message } });
    }
  }
  return { prepared, refused };
}

/** The answer's items, in input order: each recipient's job id, or its error. */
export function answerItems(total: number, prepared: readonly PreparedRecipient[], jobIds: readonly string[] | null,
  refused: readonly RefusedRecipient[]): BulkItem[] {
  const items = new Array<BulkItem>(total);
  for (const [position, recipient] of prepared.entries()) {
    items[recipient.index] = { index: recipient.index, to: recipient.to, jobId: jobIds?.[position] ?? null };
  }
  for (const recipient of refused) items[recipient.index] = { index: recipient.index, to: recipient.to, jobId: null, error: recipient.error };
  return items;
}
