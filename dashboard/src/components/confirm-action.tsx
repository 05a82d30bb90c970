// A button for a change (cancel, pause, resume) that asks first, in a modal <dialog>, and shows the
// API's own message when it refuses. Shown only to users who may write: viewers get no buttons.
import { useMutation } from "@tanstack/react-query";
import { useId, useRef, type ReactNode } from "react";
import { describeError } from "../api/api-client.ts";

export interface ConfirmActionProps {
  /** The button's text ("Cancel"). */
  label: string;
  /** The button's accessible name when the text alone is ambiguous ("Cancel message job_…"). */
  accessibleLabel?: string;
  title: string;
  description: ReactNode;
  /** The confirm button's text ("Cancel message"). */
  confirmLabel: string;
  danger?: boolean;
  run: () => Promise<unknown>;
  onDone?: () => void;
  /** Told when the dialog opens and closes (a page may keep the action while the user decides). */
  onOpenChange?: (open: boolean) => void;
}

export function ConfirmAction({ label, accessibleLabel, title, description, confirmLabel, danger = false, run, onDone, onOpenChange }:
  ConfirmActionProps) {
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const mutation = useMutation({
    mutationFn: run,
    onSuccess: () => {
      dialog.current?.close();
      onDone?.();
    },
  });

  function open(): void {
    mutation.reset();
    dialog.current?.showModal();
    onOpenChange?.(true);
  }

  return (
    <>
      <button type="button" className={danger ? "button danger" : "button"} aria-label={accessibleLabel} onClick={open}>
        {label}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} className="confirm-dialog" onClose={() => onOpenChange?.(false)}>
        <h2 id={titleId}>{title}</h2>
        <div className="dialog-body">{description}</div>
        {mutation.isError && <p className="notice error" role="alert">{describeError(mutation.error)}</p>}
        <div className="dialog-actions">
          <button type="button" className="button" autoFocus onClick={() => dialog.current?.close()}>
            {mutation.isError ? "Close" : "Keep it"}
          </button>
          <button
            type="button"
            className={danger ? "button danger" : "button primary"}
            disabled={mutation.isPending}
            onClick={() => mutation.mutate()}
          >
            {mutation.isPending ? "Working…" : confirmLabel}
          </button>
        </div>
      </dialog>
    </>
  );
}
