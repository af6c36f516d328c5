import "server-only";
import { assertNotLocked, clearFailures, recordFailure, throttleKeys } from "@/server/auth/throttle";
import { recordActivity } from "@/server/services/activity";
import { checkCredentials, type CredentialsCheck } from "@/server/services/users";

// The one way an email + password becomes a user, for every door that takes a password:
// the dashboard's sign-in (next-auth) and `heroku login -i` (POST /oauth/authorizations
// with HTTP Basic). Locked accounts and addresses are refused before the password is looked
// at; failures are counted and written to the audit trail (never the password).

export type SignInAttempt = { email: string; password: string; ip: string | null; now?: Date };

/** The user, or null for a wrong email or password; throws RATE_LIMITED while locked out. */
export async function signInWithPassword(attempt: SignInAttempt): Promise<NonNullable<CredentialsCheck["user"]> | null> {
  const keys = throttleKeys({ email: attempt.email, ip: attempt.ip });
  await assertNotLocked(keys, attempt.now);
  const { user, knownUserId } = await checkCredentials(attempt.email, attempt.password);
  if (user) {
    await clearFailures(throttleKeys({ email: attempt.email })[0]!);
    return user;
  }
  await recordFailure(keys, attempt.now);
  const tried = attempt.email.trim().slice(0, 254);
  await recordActivity({
    kind: "auth.sign_in_failed",
    userId: knownUserId,
    actorEmail: tried || null,
    message: `Failed sign-in as ${tried || "(no email)"}`,
  });
  return null;
}
