// The Twilio account the local stack uses when no real credentials are configured. It exists only
// inside the simulator; the "token" is not a secret.
export const localDevelopmentAccount = {
  accountSid: "AC00000000000000000000000000000001",
  authToken: "local-simulator-auth-token",
} as const;
