// The changes the dashboard can make: cancel a pending job; pause, resume or cancel a schedule.
// Each asks for confirmation (ConfirmAction) and is rendered only where the workspace allows
// writing; the API checks the role again and its refusal is shown as it words it.
import { useQueryClient } from "@tanstack/react-query";
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
