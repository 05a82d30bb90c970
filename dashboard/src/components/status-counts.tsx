// Counts by status that are also the way to filter by status (Hatchet, bull-board): on the overview
// each count links to the messages it counts; on the messages page each one toggles its filter.
import type { JobStatus } from "../format/statuses.ts";
import { jobStatuses, toneOf } from "../format/statuses.ts";
import { Link, withSearch } from "../router/router.tsx";
import { paths } from "../router/paths.ts";

type Counts = Readonly<Record<JobStatus, number>>;

/** `filters`: more of the Messages page's filters the links keep (a batch: `{ batch: "batch_…" }`). */
export function StatusCountLinks({ workspaceId, counts, filters = {} }: { workspaceId: string; counts: Counts; filters?: Record<string, string> }) {
  return (
    <ul className="status-counts">
      {jobStatuses.map((status) => (
        <li key={status}>
          <Link className={`count tone-${toneOf(status)}`} to={withSearch(paths.messages(workspaceId), { ...filters, status })}>
            <span className="count-value">{counts[status]}</span>{" "}
            <span className="count-label">{status}</span>
          </Link>
        </li>
      ))}
    </ul>
  );
}

/** Toggle buttons, one per status; `counts` when known (job statuses). */
export function StatusFilter({ statuses, selected, counts, onChange }: {
  statuses: readonly string[];
  selected: readonly string[];
  counts?: Readonly<Record<string, number>>;
  onChange: (next: string[]) => void;
}) {
  return (
    <fieldset className="status-filter">
      <legend>Status</legend>
      <ul className="status-counts">
        {statuses.map((status) => {
          const on = selected.includes(status);
          return (
            <li key={status}>
              <button
                type="button"
                className={`count tone-${toneOf(status)}${counts === undefined ? " compact" : ""}`}
                aria-pressed={on}
                onClick={() => onChange(on ? selected.filter((s) => s !== status) : [...selected, status])}
              >
                {counts !== undefined && <><span className="count-value">{counts[status] ?? 0}</span>{" "}</>}
                <span className="count-label">{status}</span>
              </button>
            </li>
          );
        })}
      </ul>
      {selected.length > 0 && <button type="button" className="link-button" onClick={() => onChange([])}>All statuses</button>}
    </fieldset>
  );
}
