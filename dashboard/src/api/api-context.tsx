// The API client of the signed-in session, for every page.
import { createContext, useContext, useMemo, type ReactNode } from "react";
import { config } from "../config.ts";
import type { Session } from "../auth/session.ts";
import { createApiClient, type ApiClient } from "./api-client.ts";

const ApiContext = createContext<ApiClient | null>(null);

export function ApiProvider({ session, onUnauthorized, children }: { session: Session; onUnauthorized: () => void; children: ReactNode }) {
  const client = useMemo(
    () => createApiClient({ baseUrl: config.apiBaseUrl, accessToken: () => session.accessToken(), onUnauthorized }),
    [session, onUnauthorized],
  );
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

/** Tests and other embedders provide their own client. */
export const ApiClientProvider = ApiContext.Provider;

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (client === null) throw new Error("useApi outside ApiProvider");
  return client;
}
