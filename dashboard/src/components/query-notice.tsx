import { describeError } from "../api/api-client.ts";

/** A query's loading or failed state; nothing once it has data. */
export function QueryNotice({ status, error, what }: { status: "pending" | "error" | "success"; error: unknown; what: string }) {
  if (status === "pending") return <p className="muted" role="status">Loading {what}…</p>;
  if (status === "error") return <p className="notice error" role="alert">Could not load {what}: {describeError(error)}</p>;
  return null;
}
