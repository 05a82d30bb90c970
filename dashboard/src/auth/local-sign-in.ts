// The local stack's sign-in (dev/local-sign-in.ts, served only by `npm start` and the tests):
// the seeded users with their workspaces, and a one-hour token for one of them.
import { config } from "../config.ts";

export interface LocalUser {
  email: string;
  workspaces: { workspaceId: string; name: string; role: string }[];
}

/** The local users, or null when this server has no local sign-in (not the local stack). */
export async function fetchLocalUsers(signal?: AbortSignal): Promise<LocalUser[] | null> {
  let response: Response;
  try {
    response = await fetch(`${config.localSignInUrl}/users`, { signal });
  } catch (error) {
    if (signal?.aborted) throw error;
    return null;
  }
  if (!response.ok) return null;
  const answer = await response.json() as { success: boolean; data?: { users: LocalUser[] } };
  return answer.data?.users ?? null;
}

export async function mintLocalToken(email: string): Promise<string> {
  const response = await fetch(`${config.localSignInUrl}/token`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email }),
  });
  const answer = await response.json() as
    { success: true; data: { accessToken: string } } | { success: false; error: { message: string } };
  if (!answer.success) throw new Error(answer.error.message);
  return answer.data.accessToken;
}
