// The user's refresh interval for everything live (3 s by default, 5 s, 10 s or off), remembered
// in localStorage. Queries poll with it through TanStack Query's refetchInterval, which does not
// fire while the tab is hidden (refetchIntervalInBackground stays false) and refetches when it
// becomes visible again.
import { createContext, useContext, useMemo, useState, type ReactNode } from "react";

export type RefreshInterval = 3000 | 5000 | 10000 | false;

export const refreshChoices: readonly { value: RefreshInterval; label: string }[] = [
  { value: 3000, label: "every 3 s" },
  { value: 5000, label: "every 5 s" },
  { value: 10000, label: "every 10 s" },
  { value: false, label: "off" },
];

const storageKey = "sms-dashboard:refresh-interval";
const defaultInterval: RefreshInterval = 3000;

function storedInterval(): RefreshInterval {
  try {
    const stored = localStorage.getItem(storageKey);
    return refreshChoices.find((c) => String(c.value) === stored)?.value ?? defaultInterval;
  } catch {
    return defaultInterval;
  }
}

const RefreshIntervalContext = createContext<{ interval: RefreshInterval; setInterval(value: RefreshInterval): void }>({
  interval: defaultInterval,
  setInterval: () => {},
});

export function RefreshIntervalProvider({ children }: { children: ReactNode }) {
  const [interval, setIntervalState] = useState<RefreshInterval>(storedInterval);
  const value = useMemo(() => ({
    interval,
    setInterval(next: RefreshInterval) {
      setIntervalState(next);
      try {
        localStorage.setItem(storageKey, String(next));
      } catch {
        // private mode: the choice lasts for this page only
      }
    },
  }), [interval]);
  return <RefreshIntervalContext.Provider value={value}>{children}</RefreshIntervalContext.Provider>;
}

/** The interval for refetchInterval: milliseconds, or false when the user turned live updates off. */
export function useRefreshInterval(): RefreshInterval {
  return useContext(RefreshIntervalContext).interval;
}

export function RefreshIntervalSelect() {
  const { interval, setInterval } = useContext(RefreshIntervalContext);
  return (
    <label className="toolbar-field">
      <span>Live updates</span>
      <select
        value={String(interval)}
        onChange={(event) => setInterval(refreshChoices.find((c) => String(c.value) === event.target.value)?.value ?? defaultInterval)}
      >
        {refreshChoices.map((choice) => <option key={String(choice.value)} value={String(choice.value)}>{choice.label}</option>)}
      </select>
    </label>
  );
}
