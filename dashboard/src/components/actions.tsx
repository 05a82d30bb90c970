// The changes the dashboard can make: cancel a pending job; retry a failed job or a batch's failed
// jobs; pause, resume or cancel a schedule.
// Each asks for confirmation (ConfirmAction) and is rendered only where the workspace allows
// writing; the API checks the role again and its refusal is shown as it words it.
import { useQueryClient } from "@tanstack/react-query";
import { useRef } from "react";
import type { ScheduleStatus } from "../format/statuses.ts";
import { useApi } from "../api/api-context.tsx";
import { queryKeys } from "../api/queries.ts";
import { ConfirmAction } from "./confirm-action.tsx";

/** After a change: refetch what shows it (the item, its timeline, the counts, rows on screen). */
function useRefreshAfterChange(workspaceId: string, id: string): () => void {
  const queryClient = useQueryClient();
  return () => {
    for (const queryKey of [queryKeys.item(workspaceId, id), queryKeys.events(workspaceId, id), queryKeys.stats(workspaceId),
      queryKeys.listRows(workspaceId), queryKeys.listHeads(workspaceId)]) {
      void queryClient.invalidateQueries({ queryKey });
    }
  };
}

export function CancelJobButton({ workspaceId, jobId, to, onOpenChange }: {
  workspaceId: string;
  jobId: string;
  to: string;
  onOpenChange?: (open: boolean) => void;
}) {
  const api = useApi();
  const refresh = useRefreshAfterChange(workspaceId, jobId);
  return (
    <ConfirmAction
      label="Cancel message"
      title="Cancel this message?"
      description={<p>The message to {to} will not be sent. This cannot be undone.</p>}
      confirmLabel="Cancel message"
      danger
      run={() => api.post("cancel-job", { workspaceId, jobId })}
      onDone={refresh}
      onOpenChange={onOpenChange}
    />
  );
}

/**
 * One Idempotency-Key per opening of a dialog: pressing confirm again after a lost answer (or a
 * double click) replays the first retry instead of asking twice; the next opening is a new request.
 */
function useKeyPerOpening(onOpenChange?: (open: boolean) => void): { key: () => string; onOpenChange: (open: boolean) => void } {
  const key = useRef<string>(crypto.randomUUID());
  return {
    key: () => key.current,
    onOpenChange: (open) => {
      if (open) key.current = crypto.randomUUID();
      onOpenChange?.(open);
    },
  };
}

/** Retry a failed message now: a new attempt under the policy it was created with. */
export function RetryJobButton({ workspaceId, jobId, to, expired, onOpenChange }: {
  workspaceId: string;
  jobId: string;
  to: string;
  /** It failed because it expired: the retry needs a new expiry (the API says so otherwise). */
  expired: boolean;
  onOpenChange?: (open: boolean) => void;
}) {
  const api = useApi();
  const refresh = useRefreshAfterChange(workspaceId, jobId);
  const keyed = useKeyPerOpening(onOpenChange);
  return (
    <ConfirmAction
      label="Retry message"
      title="Send this message again?"
      description={<p>
        A new attempt to {to} is made now, with its attempts counted afresh; its history stays in the timeline.
        {expired && " It had expired: the new attempt is valid for one more hour."}
      </p>}
      confirmLabel="Retry now"
      run={() => api.post("retry-job", { workspaceId, jobId, ...(expired ? { validFor: 3600 } : {}) }, { idempotencyKey: keyed.key() })}
      onDone={refresh}
      onOpenChange={keyed.onOpenChange}
    />
  );
}

/** Retry a batch's failed messages (those the API may retry; it answers how many). */
export function RetryBatchButton({ workspaceId, batchId, failed, onDone }: {
  workspaceId: string;
  batchId: string;
  failed: number;
  onDone: () => void;
}) {
  const api = useApi();
  const keyed = useKeyPerOpening();
  return (
    <ConfirmAction
      label="Retry failed messages"
      title={`Retry the ${failed} failed messages of this batch?`}
      description={<p>Each is tried again now. Recipients who opted out and numbers Twilio called invalid are left as they are.</p>}
      confirmLabel="Retry them"
      run={() => api.post("retry-job", { workspaceId, jobId: batchId }, { idempotencyKey: keyed.key() })}
      onDone={onDone}
      onOpenChange={keyed.onOpenChange}
    />
  );
}

export function ScheduleActions({ workspaceId, scheduleId, status, to, compact = false }: {
  workspaceId: string;
  scheduleId: string;
  status: ScheduleStatus;
  to: string;
  /** In a table row: short labels, with the schedule named for screen readers. */
  compact?: boolean;
}) {
  const api = useApi();
  const refresh = useRefreshAfterChange(workspaceId, scheduleId);
  const named = (verb: string) => (compact ? `${verb} schedule to ${to}` : undefined);
  if (status !== "active" && status !== "paused") return null;
  return (
    <span className="actions">
      {status === "active" && (
        <ConfirmAction
          label={compact ? "Pause" : "Pause schedule"}
          accessibleLabel={named("Pause")}
          title="Pause this schedule?"
          description={<p>Nothing is sent to {to} while it is paused; occurrences already queued for later are cancelled.</p>}
          confirmLabel="Pause"
          run={() => api.post("pause-job", { workspaceId, jobId: scheduleId })}
          onDone={refresh}
        />
      )}
      {status === "paused" && (
        <ConfirmAction
          label={compact ? "Resume" : "Resume schedule"}
          accessibleLabel={named("Resume")}
          title="Resume this schedule?"
          description={<p>It continues from its next occurrence; the paused time is not made up.</p>}
          confirmLabel="Resume"
          run={() => api.post("resume-job", { workspaceId, jobId: scheduleId })}
          onDone={refresh}
        />
      )}
      <ConfirmAction
        label={compact ? "Cancel" : "Cancel schedule"}
        accessibleLabel={named("Cancel")}
        title="Cancel this schedule for good?"
        description={<p>No further message goes to {to}, and its pending occurrences are cancelled. This cannot be undone.</p>}
        confirmLabel="Cancel schedule"
        danger
        run={() => api.post("cancel-job", { workspaceId, jobId: scheduleId })}
        onDone={refresh}
      />
    </span>
  );
}
