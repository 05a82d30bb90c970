// The filters of a list, kept in the address: kind, time range and search (status has its own row).
import { useState, type FormEvent } from "react";
import { timeRanges, type ListFilters, type ListKind, type TimeRange } from "../messages/list-filters.ts";

export function ListToolbar({ filters, kinds, onChange }: {
  filters: ListFilters;
  /** The kinds to offer, or null to hide the choice. */
  kinds: readonly { value: ListKind; label: string }[] | null;
  onChange: (next: ListFilters) => void;
}) {
  const [search, setSearch] = useState(filters.search);

  function submit(event: FormEvent): void {
    event.preventDefault();
    onChange({ ...filters, search: search.trim() });
  }

  return (
    <div className="list-toolbar">
      {kinds !== null && (
        <label className="field">
          <span>Show</span>
          <select value={filters.kind} onChange={(e) => onChange({ ...filters, kind: e.target.value as ListKind, status: [] })}>
            {kinds.map((k) => <option key={k.value} value={k.value}>{k.label}</option>)}
          </select>
        </label>
      )}
      <label className="field">
        <span>Time</span>
        <select value={filters.range} onChange={(e) => onChange({ ...filters, range: e.target.value as TimeRange })}>
          {Object.entries(timeRanges).map(([value, range]) => <option key={value} value={value}>{range.label}</option>)}
        </select>
      </label>
      <form role="search" className="search" onSubmit={submit}>
        <label className="field">
          <span>Id or recipient number</span>
          <input
            type="search"
            value={search}
            placeholder="job_… or +61412…"
            onChange={(e) => setSearch(e.target.value)}
          />
        </label>
        <button type="submit" className="button">Search</button>
        {filters.search !== "" && (
          <button type="button" className="link-button" onClick={() => { setSearch(""); onChange({ ...filters, search: "" }); }}>
            Clear search
          </button>
        )}
      </form>
    </div>
  );
}
