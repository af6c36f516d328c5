// The official `heroku` CLI (v11) as a real client of a running platform. It needs a
// started server, so it runs only when SLIPWAY_TEST_BASE_URL is set (scripts/test.sh sets
// it after `up`); plain `vitest run` skips it. Settings:
//   SLIPWAY_TEST_BASE_URL        the platform, e.g. http://localhost:3000 — the host must be
//                                localhost or 127.0.0.1, or the CLI will not send its key
//   SLIPWAY_TEST_HEROKU_BIN      the heroku executable (default: scripts/lib.sh's cache)
//   SLIPWAY_TEST_API_KEY         a key to act with, or else
//   SLIPWAY_TEST_ADMIN_EMAIL/_PASSWORD  credentials traded for one (also drive `login -i`)
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const baseUrl = process.env.SLIPWAY_TEST_BASE_URL?.replace(/\/$/, "");
const herokuBin =
  process.env.SLIPWAY_TEST_HEROKU_BIN ??
  path.join(process.env.SLIPWAY_CACHE_DIR ?? path.join(os.homedir(), ".cache/slipway"), "heroku-cli/node_modules/.bin/heroku");
const adminEmail = process.env.SLIPWAY_TEST_ADMIN_EMAIL;
const adminPassword = process.env.SLIPWAY_TEST_ADMIN_PASSWORD;

const ACCEPT = "application/vnd.heroku+json; version=3";
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
const unique = () => Math.random().toString(36).slice(2, 8);

type Run = { code: number | null; stdout: string; stderr: string };
type RunOptions = { apiKey?: string | null; home?: string; prompts?: Array<[RegExp, string]> };

const homes: string[] = [];
function throwawayHome(): string {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-heroku-home-"));
  homes.push(home);
  return home;
}

/** Runs the CLI with an argv array; `prompts` answer interactive questions as they appear on stderr. */
function heroku(args: string[], options: RunOptions = {}): Promise<Run> {
  const env: NodeJS.ProcessEnv = {
    // Not vitest's "test": the CLI would change how it records telemetry.
    NODE_ENV: "production",
    PATH: process.env.PATH,
    HOME: options.home ?? throwawayHome(),
    HEROKU_HOST: baseUrl,
    HEROKU_PARTICLEBOARD_URL: baseUrl,
    HEROKU_SKIP_NEW_VERSION_CHECK: "true",
    HEROKU_DISABLE_AUTOUPDATE: "true",
    DISABLE_TELEMETRY: "true",
    HEROKU_SKIP_ANALYTICS: "1",
    NO_COLOR: "1",
    NODE_EXTRA_CA_CERTS: process.env.NODE_EXTRA_CA_CERTS,
  };
  if (options.apiKey) env.HEROKU_API_KEY = options.apiKey;
  return new Promise((resolve, reject) => {
    const child = spawn(herokuBin, args, { env, stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    const pending = [...(options.prompts ?? [])];
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => {
      stderr += d.toString();
      // Each answer goes in only once its question is on screen: typed ahead, the first
      // prompt would swallow them all.
      while (pending.length && pending[0]![0].test(stderr.replace(ANSI, ""))) child.stdin.write(`${pending.shift()![1]}\n`);
    });
    if (!pending.length) child.stdin.end();
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout: stdout.replace(ANSI, ""), stderr: stderr.replace(ANSI, "") }));
  });
}

async function ok(args: string[], options: RunOptions = {}): Promise<Run> {
  const run = await heroku(args, options);
  expect(run.code, `heroku ${args.join(" ")}\n${run.stdout}\n${run.stderr}`).toBe(0);
  return run;
}

async function api(method: string, apiPath: string, headers: Record<string, string>, body?: unknown) {
  const res = await fetch(`${baseUrl}${apiPath}`, {
    method,
    headers: { Accept: ACCEPT, "Content-Type": "application/json", ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

const basicAuth = (email: string, password: string) => ({ Authorization: `Basic ${Buffer.from(`${email}:${password}`).toString("base64")}` });

// Each CLI run takes 1-5 s (a Node start-up and a few requests); a test makes up to five.
describe.skipIf(!baseUrl)("the heroku CLI against a running platform", { timeout: 180_000 }, () => {
  let apiKey: string;
  let email: string;
  const name = `cli-${unique()}-${unique()}`;
  const created: string[] = [];

  beforeAll(async () => {
    expect(fs.existsSync(herokuBin), `heroku CLI not found at ${herokuBin} (scripts/lib.sh ensure_heroku_cli installs it)`).toBe(true);
    if (process.env.SLIPWAY_TEST_API_KEY) {
      apiKey = process.env.SLIPWAY_TEST_API_KEY;
    } else {
      expect(adminEmail && adminPassword, "set SLIPWAY_TEST_API_KEY or SLIPWAY_TEST_ADMIN_EMAIL/_PASSWORD").toBeTruthy();
      const auth = await api("POST", "/oauth/authorizations", basicAuth(adminEmail!, adminPassword!), { description: "slipway CLI tests", expires_in: 3600 });
      expect(auth.status, JSON.stringify(auth.body)).toBe(201);
      apiKey = auth.body.access_token.token;
    }
    const account = await api("GET", "/account", { Authorization: `Bearer ${apiKey}` });
    expect(account.status).toBe(200);
    email = account.body.email;
  });

  afterAll(async () => {
    for (const app of created) await api("DELETE", `/apps/${app}`, { Authorization: `Bearer ${apiKey}` });
    for (const home of homes) fs.rmSync(home, { recursive: true, force: true });
  });

  it("auth:whoami prints the key's email", async () => {
    const run = await ok(["auth:whoami"], { apiKey });
    expect(run.stdout.trim()).toBe(email);
  });

  it("apps:create makes a named app and a randomly named one", async () => {
    created.push(name);
    const named = await ok(["apps:create", name], { apiKey });
    expect(named.stderr).toContain(`Creating ${name}... done`);
    expect(named.stdout).toMatch(new RegExp(`^http://${name}\\.[^ ]+/ \\| `));

    const random = await ok(["apps:create"], { apiKey });
    const randomName = /Creating app\.\.\. done, ([a-z0-9-]+)/.exec(random.stderr)?.[1];
    expect(randomName, random.stderr).toMatch(/^[a-z]+-[a-z]+-\d{4}$/);
    created.push(randomName!);
    expect(random.stdout).toContain(`http://${randomName}.`);
  });

  it("apps lists both under the caller's email", async () => {
    const run = await ok(["apps"], { apiKey });
    expect(run.stdout).toContain(`=== ${email} Apps`);
    for (const app of created) expect(run.stdout).toContain(app);
  });

  it("apps:info shows owner, git URL and web URL", async () => {
    const run = await ok(["apps:info", "-a", name], { apiKey });
    expect(run.stdout).toContain(`=== ${name}`);
    expect(run.stdout).toMatch(new RegExp(`Owner:\\s+${email.replace(/[.+]/g, "\\$&")}`));
    expect(run.stdout).toMatch(new RegExp(`Git URL:\\s+${baseUrl}/${name}\\.git`));
    expect(run.stdout).toMatch(new RegExp(`Web URL:\\s+http://${name}\\.\\S+/`));
  });

  it("config:set, config and config:unset make releases v2 and v3", async () => {
    const set = await ok(["config:set", "A=1", "B=two", "-a", name], { apiKey });
    expect(set.stderr).toContain(`Setting A, B and restarting ${name}... done, v2`);
    expect(set.stdout).toMatch(/A:\s+1/);
    expect(set.stdout).toMatch(/B:\s+two/);

    const config = await ok(["config", "-a", name], { apiKey });
    expect(config.stdout).toContain(`=== ${name} Config Vars`);
    expect(config.stdout).toMatch(/A:\s+1\n/);
    expect(config.stdout).toMatch(/B:\s+two\n/);

    const unset = await ok(["config:unset", "A", "-a", name], { apiKey });
    expect(unset.stderr).toContain(`Unsetting A and restarting ${name}... done, v3`);
    const after = await ok(["config", "-a", name], { apiKey });
    expect(after.stdout).not.toMatch(/^A:/m);
    expect(after.stdout).toMatch(/B:\s+two/);
  });

  it("releases lists v3..v1 newest first and marks the current one", async () => {
    const run = await ok(["releases", "-a", name], { apiKey });
    expect(run.stdout).toContain(`=== ${name} Releases - Current: v3`);
    const rows = run.stdout.split("\n").filter((l) => /^\s*v\d+\s/.test(l));
    expect(rows.map((r) => r.trim().split(/\s{2,}/).slice(0, 3))).toEqual([
      ["v3", "Remove A config vars", email],
      ["v2", "Set A, B config vars", email],
      ["v1", "Initial release", email],
    ]);
  });

  it("apps:destroy removes the app", async () => {
    const target = created.pop()!;
    const run = await ok(["apps:destroy", "-a", target, "--confirm", target], { apiKey });
    expect(run.stderr).toContain(`Destroying ${target}`);
    const info = await heroku(["apps:info", "-a", target], { apiKey });
    expect(info.code).not.toBe(0);
    expect(info.stderr).toContain("Couldn't find that app");
  });

  // `login -i` needs a password; with only SLIPWAY_TEST_API_KEY there is none to type.
  it.skipIf(!adminEmail || !adminPassword)("login -i trades email and password for a key that later commands use", async () => {
    const home = throwawayHome();
    const login = await ok(["login", "-i"], {
      home,
      prompts: [
        [/Email/, adminEmail!],
        [/Password/, adminPassword!],
      ],
    });
    expect(login.stdout).toContain(`Logged in as ${adminEmail}`);
    expect(fs.readFileSync(path.join(home, ".netrc"), "utf8")).toMatch(/password slw_/);
    const whoami = await ok(["auth:whoami"], { home });
    expect(whoami.stdout.trim()).toBe(adminEmail);
  });
});
