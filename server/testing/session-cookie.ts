// A dashboard session cookie, as next-auth issues it at sign-in (a JWT sealed with the
// installation's key): for tests that send real HTTP requests as a signed-in browser.
import { encode } from "next-auth/jwt";
import { authOptions } from "@/server/auth/options";

export async function sessionCookie(userId: string): Promise<string> {
  return `next-auth.session-token=${await encode({ token: { sub: userId }, secret: authOptions.secret! })}`;
}
