// A small router on the History API: the address is the state (filters included), links push
// entries, the back button works, and the static host serves index.html for every app path.
import { useMemo, useSyncExternalStore, type AnchorHTMLAttributes, type MouseEvent } from "react";

const navigationEvent = "sms-dashboard:navigate";

function subscribe(onChange: () => void): () => void {
  window.addEventListener("popstate", onChange);
  window.addEventListener(navigationEvent, onChange);
  return () => {
    window.removeEventListener("popstate", onChange);
    window.removeEventListener(navigationEvent, onChange);
  };
}

function currentAddress(): string {
  return `${window.location.pathname}${window.location.search}`;
}

export interface AppLocation {
  pathname: string;
  search: URLSearchParams;
  /** pathname + search, for keys and comparisons. */
  address: string;
}

export function useLocation(): AppLocation {
  const address = useSyncExternalStore(subscribe, currentAddress);
  return useMemo(() => {
    const url = new URL(address, "http://app.invalid");
    return { pathname: url.pathname, search: url.searchParams, address };
  }, [address]);
}

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (to === currentAddress()) return;
  const samePage = new URL(to, window.location.href).pathname === window.location.pathname;
  if (options.replace) window.history.replaceState(null, "", to);
  else window.history.pushState(null, "", to);
  window.dispatchEvent(new Event(navigationEvent));
  // A new page starts at its top; a new filter on the same page keeps the place.
  if (!samePage) window.scrollTo(0, 0);
}

/** `path` with its query string replaced by `params` (empty values left out). */
export function withSearch(path: string, params: Record<string, string | null | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value) search.set(key, value);
  const text = search.toString();
  return text === "" ? path : `${path}?${text}`;
}

/** Params of `pattern` ("messages/:id") in `path`, or null when it does not match. */
export function matchPath(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/").filter((p) => p !== "");
  const have = path.split("/").filter((p) => p !== "");
  if (want.length !== have.length) return null;
  const params: Record<string, string> = {};
  for (const [i, part] of want.entries()) {
    const value = have[i] ?? "";
    if (part.startsWith(":")) {
      try {
        params[part.slice(1)] = decodeURIComponent(value);
      } catch {
        return null;
      }
    } else if (part !== value) {
      return null;
    }
  }
  return params;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & { to: string };

/** An <a> that navigates in place; modified clicks (new tab, download) keep the browser's behaviour. */
export function Link({ to, onClick, ...rest }: LinkProps) {
  function follow(event: MouseEvent<HTMLAnchorElement>): void {
    onClick?.(event);
    if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    if (rest.target !== undefined && rest.target !== "_self") return;
    event.preventDefault();
    navigate(to);
  }
  return <a href={to} onClick={follow} {...rest} />;
}
