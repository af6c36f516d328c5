// Login protection against a started platform: the official CLI's `heroku login -i`, the
// dashboard's sign-in and sign-up doors over HTTP, and "sign out everywhere".
//
// Every test client here connects from 127.0.0.1 — the CLI suites and the e2e specs that
// run beside and after this one included — so whatever fails on purpose here does it from an
// address of its own (a random 127.x.y.z: server/testing/from-address.ts) and on throwaway
// accounts. 127.0.0.1 and the accounts other suites use are never locked by this file.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { forwardFrom, randomLoopbackAddress, requestFrom } from "@/server/testing/from-address";
import { baseUrl, heroku, newUser, removeHomes, throwawayHome } from "@/server/testing/heroku-cli";

const unique = () => Math.random().toString(36).slice(2, 8);

/** A cookie jar of one: the `name=value` pairs of Set-Cookie headers. */
function cookiesOf(setCookie: string[] | undefined, jar: Record<string, string> = {}) {
  for (const c of setCookie ?? []) {
    const [pair] = c.split(";");
    const eq = pair!.indexOf("=");
    jar[pair!.slice(0, eq)] = pair!.slice(eq + 1);
  }
  return jar;
}
const cookieHeader = (jar: Record<string, string>) => Object.entries(jar).map(([k, v]) => `${k}=${v}`).join("; ");

/** The dashboard's sign-in as next-auth's client does it (CSRF token, then the credentials callback). */
async function dashboardSignIn(from: string, email: string, password: string) {
  const csrf = await requestFrom(from, `${baseUrl}/api/auth/csrf`);
  const jar = cookiesOf(csrf.headers["set-cookie"]);
  const res = await requestFrom(from, `${baseUrl}/api/auth/callback/credentials`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded", Cookie: cookieHeader(jar) },
    body: new URLSearchParams({ csrfToken: JSON.parse(csrf.text).csrfToken, email, password, json: "true", callbackUrl: `${baseUrl}/apps` }).toString(),
  });
  return { ...res, jar: cookiesOf(res.headers["set-cookie"], jar) };
}

function trpc(from: string, procedure: string, { cookie, input }: { cookie?: string; input?: unknown } = {}) {
  const headers: Record<string, string> = { Origin: baseUrl!, "Content-Type": "application/json" };
  if (cookie) headers.Cookie = cookie;
  if (input === undefined) return requestFrom(from, `${baseUrl}/api/trpc/${procedure}`, { headers });
  return requestFrom(from, `${baseUrl}/api/trpc/${procedure}`, { method: "POST", headers, body: JSON.stringify({ json: input }) });
}

describe.skipIf(!baseUrl)("login protection against a running platform", { timeout: 300_000 }, () => {
  let forwarder: Awaited<ReturnType<typeof forwardFrom>> | undefined;

  afterAll(async () => {
    await forwarder?.close();
    removeHomes();
  });

  // Eleven CLI runs: 5-20 s each on a busy 2-core machine (Node start-up and a bcrypt compare).
  it("heroku login -i: ten wrong passwords, then the eleventh attempt gets the rate-limit message", { timeout: 600_000 }, async () => {
    const user = await newUser("cli-lockout");
    forwarder = await forwardFrom(randomLoopbackAddress(), baseUrl!);
    const attempt = (password: string) =>
      heroku(["login", "-i"], {
        home: throwawayHome(),
        hostUrl: forwarder!.url,
        prompts: [
          [/Email/, user.email],
          [/Password/, password],
        ],
      });
    for (let i = 0; i < 10; i++) {
      const run = await attempt(`wrong-${i}`);
      expect(run.code, run.stderr).not.toBe(0);
      expect(run.stderr).toMatch(/Invalid credentials provided/);
    }
    const locked = await attempt(user.password);
    expect(locked.code).not.toBe(0);
    // The CLI wraps its error at the terminal's width, each line behind " ›".
    const said = locked.stderr.replace(/\s*›\s*/g, " ").replace(/\s+/g, " ");
    expect(said).toMatch(/Error: Too many failed attempts for this account or from this address\. Try again in 15 minutes\./);
    expect(said).toMatch(/Error ID: rate_limit/);
    expect(locked.stdout).not.toMatch(/Logged in/);
  });

  it("the dashboard's sign-in answers 429 with Retry-After once locked, and the form's error says when", async () => {
    const user = await newUser("dash-lockout");
    const from = randomLoopbackAddress();
    for (let i = 0; i < 10; i++) {
      const res = await dashboardSignIn(from, user.email, `wrong-${i}`);
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text).url).toMatch(/error=CredentialsSignin/);
    }
    const locked = await dashboardSignIn(from, user.email, user.password);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers["retry-after"])).toBeGreaterThan(14 * 60);
    expect(new URL(JSON.parse(locked.text).url).searchParams.get("error")).toMatch(/^rate_limited:\d+$/);
    expect(locked.jar["next-auth.session-token"]).toBeUndefined();
  });

  it("sign-up: a taken address gets the new address's answer; probing ten of them gets 429 with Retry-After", async () => {
    const owner = await newUser("signup-owner");
    const from = randomLoopbackAddress();
    const fresh = await trpc(from, "auth.signUp", { input: { email: `fresh-${unique()}@example.com`, password: "fresh password" } });
    const taken = await trpc(from, "auth.signUp", { input: { email: owner.email, password: "another password" } });
    expect(fresh.status).toBe(200);
    expect(taken.status).toBe(200);
    expect(taken.text).toBe(fresh.text);
    for (let i = 0; i < 9; i++) expect((await trpc(from, "auth.signUp", { input: { email: owner.email, password: `guess ${i} long` } })).status).toBe(200);
    const refused = await trpc(from, "auth.signUp", { input: { email: `fresh-${unique()}@example.com`, password: "fresh password" } });
    expect(refused.status).toBe(429);
    expect(Number(refused.headers["retry-after"])).toBeGreaterThan(0);
    expect(JSON.parse(refused.text).error.json).toMatchObject({ message: expect.stringMatching(/Try again in 15 minutes/), data: { code: "TOO_MANY_REQUESTS" } });
    // Each taken-address sign-up counted against that account too, as a wrong password would:
    // its owner waits out the lockout like after ten wrong passwords (from any address).
    expect((await dashboardSignIn(randomLoopbackAddress(), owner.email, owner.password)).status).toBe(429);
  });

  it("sign out everywhere: a session cookie from before stops working at once", async () => {
    const user = await newUser("everywhere");
    // Successful sign-ins: from 127.0.0.1 like every suite, and never counted.
    const first = await dashboardSignIn("127.0.0.1", user.email, user.password);
    const second = await dashboardSignIn("127.0.0.1", user.email, user.password);
    const [a, b] = [first, second].map((s) => cookieHeader(s.jar));
    expect(first.jar["next-auth.session-token"]).toBeTruthy();
    expect((await trpc("127.0.0.1", "account.me", { cookie: b })).status).toBe(200);

    expect((await trpc("127.0.0.1", "account.signOutEverywhere", { cookie: a, input: null })).status).toBe(200);

    for (const cookie of [a, b]) {
      expect((await trpc("127.0.0.1", "account.me", { cookie })).status).toBe(401);
      const page = await requestFrom("127.0.0.1", `${baseUrl}/apps`, { headers: { Cookie: cookie } });
      expect([302, 303, 307]).toContain(page.status);
      expect(page.headers.location).toMatch(/\/login/);
    }
    const again = await dashboardSignIn("127.0.0.1", user.email, user.password);
    expect((await trpc("127.0.0.1", "account.me", { cookie: cookieHeader(again.jar) })).status).toBe(200);
  });
});
