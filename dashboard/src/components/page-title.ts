import { useEffect } from "react";

/** The tab's title for the current page. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = `${title} · SMS scheduler`;
  }, [title]);
}
