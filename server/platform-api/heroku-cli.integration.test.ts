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
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminEmail, adminPassword, api, baseUrl, basicAuth, cliEnv, heroku, herokuBin, ok, removeHomes, routerPort, throwawayHome, unique, viaRouter } from "@/server/testing/heroku-cli";

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
    removeHomes();
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

  it("apps:destroy removes the app, and the private network it was given at creation", async () => {
    const target = created.pop()!;
    // Made when the app was, in the background: its first push does not wait for it.
    const { docker } = await import("@/server/runtime/docker");
    const { waitFor } = await import("@/server/testing/runtime");
    const { body } = await api("GET", `/apps/${target}`, { Authorization: `Bearer ${apiKey}` });
    const network = async () => (await docker().listNetworks({ filters: { name: [`slipway-app-${body.id}`] } })).length;
    await waitFor("the app's network, before any dyno", async () => (await network()) === 1, 30_000);
    const run = await ok(["apps:destroy", "-a", target, "--confirm", target], { apiKey });
    expect(run.stderr).toContain(`Destroying ${target}`);
    const info = await heroku(["apps:info", "-a", target], { apiKey });
    expect(info.code).not.toBe(0);
    expect(info.stderr).toContain("Couldn't find that app");
    await waitFor("the app's network removed", async () => (await network()) === 0, 30_000);
  });

  // The dyno runtime through ps, ps:scale, ps:type and ps:restart. Scaling only writes the
  // formation; the dyno manager converges on it, so dyno states are polled, not slept for.
  describe("ps against live dynos", () => {
    const app = `ps-${unique()}-${unique()}`;
    let destroyed = false;
    const WEB = `node -e "require('http').createServer((q,s)=>s.end('ok')).listen(process.env.PORT)"`;
    const STATE_LINE = /^([\w-]+\.\d+): (\w+) \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d [+-]\d{4}(?: \(~ \d+[smh] ago\))?$/gm;
    type Dyno = { name: string; type: string; size: string; state: string; updated_at: string };

    /** The CLI wraps long errors at 80 columns, continuing each line with " ›   ". */
    const unwrapped = (text: string) => text.replace(/\s*\n\s*›\s+/g, " ");

    /** `ps` as printed, and its dyno lines as name → state. */
    async function ps(): Promise<{ text: string; states: Record<string, string> }> {
      const run = await ok(["ps", "-a", app], { apiKey });
      return { text: run.stdout, states: Object.fromEntries([...run.stdout.matchAll(STATE_LINE)].map((m) => [m[1]!, m[2]!])) };
    }

    async function dynos(): Promise<Dyno[]> {
      return JSON.parse((await ok(["ps", "--json", "-a", app], { apiKey })).stdout) as Dyno[];
    }

    /** Polls `ps` until `done` holds; fails with the last output after `timeoutMs`. */
    async function until<T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 90_000): Promise<T> {
      const deadline = Date.now() + timeoutMs;
      let last = await read();
      while (!done(last)) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last seen:\n${JSON.stringify(last, null, 2)}`);
        await new Promise((r) => setTimeout(r, 500));
        last = await read();
      }
      return last;
    }

    const allUp = (names: string[]) => (p: { states: Record<string, string> }) =>
      Object.keys(p.states).sort().join(",") === [...names].sort().join(",") && names.every((n) => p.states[n] === "up");

    /** Web dynos written after `since` (a new container) and up again. */
    const restartedSince = (since: number, names: string[]) => (list: Dyno[]) =>
      names.every((n) => list.some((d) => d.name === n && d.state === "up" && new Date(d.updated_at).getTime() >= since));

    afterAll(async () => {
      if (!destroyed) await api("DELETE", `/apps/${app}`, { Authorization: `Bearer ${apiKey}` });
    });

    it("deploys an image and ps shows web.1 up", async () => {
      await ok(["apps:create", app], { apiKey });
      const res = await fetch(`${baseUrl}/api/trpc/releases.deployImage`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ json: { app, image: "slipway/stack:bookworm", processTypes: { web: WEB, worker: "sleep 3600" } } }),
      });
      expect(res.status, await res.clone().text()).toBe(200);

      const up = await until("web.1 up", ps, allUp(["web.1"]));
      expect(up.text).toContain(`=== web (standard-1x): ${WEB} (1)`);
      expect(up.text).toMatch(/^web\.1: up \d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d [+-]\d{4} \(~ \d+[smh] ago\)$/m);
      expect((await ok(["ps:scale", "-a", app], { apiKey })).stdout.trim()).toBe("web=1:standard-1x worker=0:standard-1x");
    });

    it("ps:scale sets absolute and relative quantities and the dynos follow", async () => {
      const scale = await ok(["ps:scale", "web=2", "worker=1", "-a", app], { apiKey });
      expect(scale.stderr).toContain("Scaling dynos... done, now running web at 2:standard-1x, worker at 1:standard-1x");
      const two = await until("web.1, web.2 and worker.1 up", ps, allUp(["web.1", "web.2", "worker.1"]));
      expect(two.text).toContain("=== worker (standard-1x): sleep 3600 (1)");

      const plus = await ok(["ps:scale", "web+1", "-a", app], { apiKey });
      expect(plus.stderr).toContain("now running web at 3:standard-1x");
      await until("three web dynos up", ps, allUp(["web.1", "web.2", "web.3", "worker.1"]));
    });

    it("ps:type resizes and prints the size table; an unknown size is an error", async () => {
      const type = await ok(["ps:type", "web=standard-2x", "-a", app], { apiKey });
      expect(type.stdout).toContain("=== Process Types");
      expect(type.stdout).toMatch(/^\s*web\s+standard-2x\s+3\s*$/m);
      expect(type.stdout).toMatch(/^\s*worker\s+standard-1x\s+1\s*$/m);
      expect(type.stdout).toContain("=== Dyno Totals");
      expect(type.stdout).toMatch(/^\s*standard-2x\s+3\s*$/m);
      // The dyno manager replaces the web dynos with standard-2x ones.
      await until("standard-2x web dynos", dynos, (list) => list.filter((d) => d.type === "web" && d.size === "standard-2x" && d.state === "up").length === 3);

      const huge = await heroku(["ps:type", "web=huge", "-a", app], { apiKey });
      expect(huge.code).not.toBe(0);
      expect(unwrapped(huge.stderr)).toContain("Unknown dyno size huge. Sizes: eco, basic, standard-1x, standard-2x");
      expect(huge.stderr).toContain("Error ID: invalid_params");
      const tooMany = await heroku(["ps:scale", "web=2:eco", "-a", app], { apiKey });
      expect(tooMany.code).not.toBe(0);
      expect(unwrapped(tooMany.stderr)).toContain("eco dynos are limited to 1 per process type");
      expect((await ok(["ps:scale", "-a", app], { apiKey })).stdout.trim()).toBe("web=3:standard-2x worker=1:standard-1x");
    });

    it("ps:restart restarts one dyno, a process type, then everything; ps:stop stops one", async () => {
      const web = ["web.1", "web.2", "web.3"];
      let since = Date.now();
      const one = await ok(["ps:restart", "--dyno-name", "web.1", "-a", app], { apiKey });
      expect(one.stderr).toContain(`Restarting dyno web.1 on ${app}... done`);
      await until("web.1 restarted", dynos, restartedSince(since, ["web.1"]));

      since = Date.now();
      const type = await ok(["ps:restart", "--process-type", "web", "-a", app], { apiKey });
      expect(type.stderr).toContain(`Restarting all web dynos on ${app}... done`);
      await until("web dynos restarted", dynos, restartedSince(since, web));

      since = Date.now();
      const all = await ok(["ps:restart", "-a", app], { apiKey });
      expect(all.stderr).toContain(`Restarting all dynos on ${app}... done`);
      await until("all dynos restarted", dynos, restartedSince(since, [...web, "worker.1"]));

      // The deprecated positional form puts a process type or a dyno name where a dyno goes.
      since = Date.now();
      const positionalType = await ok(["ps:restart", "web", "-a", app], { apiKey });
      expect(positionalType.stderr).toContain(`Restarting dyno web on ${app}... done`);
      await until("web dynos restarted (positional type)", dynos, restartedSince(since, web));

      since = Date.now();
      const positionalDyno = await ok(["ps:restart", "web.1", "-a", app], { apiKey });
      expect(positionalDyno.stderr).toContain(`Restarting dyno web.1 on ${app}... done`);
      await until("web.1 restarted (positional)", dynos, restartedSince(since, ["web.1"]));

      // ps:stop: the dyno manager starts a formation dyno again, as on Heroku.
      since = Date.now();
      const stop = await ok(["ps:stop", "--dyno-name", "worker.1", "-a", app], { apiKey });
      expect(stop.stderr).toContain(`Stopping dyno worker.1 on ${app}... done`);
      await until("worker.1 started again", dynos, restartedSince(since, ["worker.1"]));

      const unknown = await heroku(["ps:restart", "--process-type", "clock", "-a", app], { apiKey });
      expect(unknown.code).not.toBe(0);
      expect(unwrapped(unknown.stderr)).toContain("Couldn't find that process type (clock)");
    });

    it("ps:scale to zero removes the dynos, and apps:destroy the app", async () => {
      const zero = await ok(["ps:scale", "web=0", "worker=0", "-a", app], { apiKey });
      expect(zero.stderr).toContain("now running web at 0:standard-2x, worker at 0:standard-1x");
      const none = await until("no dynos", ps, (p) => Object.keys(p.states).length === 0);
      expect(none.text).toContain(`No dynos on ${app}`);

      await ok(["apps:destroy", "-a", app, "--confirm", app], { apiKey });
      destroyed = true;
      expect(await api("GET", `/apps/${app}/dynos`, { Authorization: `Bearer ${apiKey}` })).toMatchObject({ status: 404 });
    });
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

// git push through the platform's own HTTP server (Next.js rewrites /<app>.git), then the
// CLI's release commands on what it deployed.
describe.skipIf(!baseUrl)("git push and the CLI's release commands", { timeout: 240_000 }, () => {
  let apiKey: string;
  const app = `push-${unique()}-${unique()}`;
  const dirs: string[] = [];

  beforeAll(async () => {
    const auth = await api("POST", "/oauth/authorizations", basicAuth(adminEmail!, adminPassword!), { description: "git push tests", expires_in: 3600 });
    apiKey = process.env.SLIPWAY_TEST_API_KEY ?? auth.body.access_token.token;
    expect((await api("POST", "/apps", { Authorization: `Bearer ${apiKey}` }, { name: app })).status).toBe(201);
  });

  afterAll(async () => {
    await api("DELETE", `/apps/${app}`, { Authorization: `Bearer ${apiKey}` });
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("git push deploys with the build streamed; releases:rollback and git:remote work on it", async () => {
    const { commitAll, fixtureRepo, git, push, remoteUrl } = await import("@/server/testing/git-push");
    const dir = await fixtureRepo("node-zero");
    dirs.push(dir);
    const url = remoteUrl(baseUrl!, app, apiKey);
    const first = await push(dir, url);
    expect(first.output).toContain("remote: -----> Node.js app detected");
    expect(first.output).toContain("remote: -----> Released v2");
    expect(first.code, first.output).toBe(0);

    fs.writeFileSync(path.join(dir, "server.js"), fs.readFileSync(path.join(dir, "server.js"), "utf8").replace("node-zero", "node-zero again"));
    await commitAll(dir, "second");
    const second = await push(dir, url);
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain("Released v3");

    const rollback = await ok(["releases:rollback", "-a", app], { apiKey }); // no version: the previous eligible one
    expect(rollback.stderr).toContain(`Rolling back ${app} to v2... done, v4`);
    const releases = await ok(["releases", "-a", app], { apiKey });
    expect(releases.stdout).toMatch(/v4\s+Rollback to v2/);
    expect(releases.stdout).toMatch(/v3\s+Deploy [0-9a-f]{7}/);
    const explicit = await ok(["releases:rollback", "v3", "-a", app], { apiKey });
    expect(explicit.stderr).toContain(`Rolling back ${app} to v3... done, v5`);

    const remote = await ok(["git:remote", "-a", app], { apiKey, cwd: dir });
    expect(remote.stdout + remote.stderr).toContain(`set git remote heroku to https://${new URL(baseUrl!).host}/${app}.git`);
    expect((await git(dir, ["remote", "get-url", "heroku"])).output.trim()).toBe(`https://${new URL(baseUrl!).host}/${app}.git`);

    // Through the router (scripts/test.sh runs it): the app answers on its default hostname,
    // with v5 (the rollback to v3's code) once the dynos have moved over.
    if (routerPort) await expectEventually(async () => (await viaRouter(`${app}.localhost`)).body === "hello from node-zero again\n", 30_000);

    const builds = await api("GET", `/apps/${app}/builds`, { Authorization: `Bearer ${apiKey}` });
    expect(builds.body).toHaveLength(2);
    expect(builds.body[0]).toMatchObject({ status: "succeeded", release: { version: 2 }, buildpacks: [{ name: "nodejs" }] });
  });
});

// Custom domains and maintenance mode with the CLI, checked through the router.
describe.skipIf(!baseUrl || !routerPort)("domains and maintenance through the router", { timeout: 240_000 }, () => {
  let apiKey: string;
  const app = `dom-${unique()}-${unique()}`;
  const dirs: string[] = [];

  beforeAll(async () => {
    const auth = await api("POST", "/oauth/authorizations", basicAuth(adminEmail!, adminPassword!), { description: "domain tests", expires_in: 3600 });
    apiKey = process.env.SLIPWAY_TEST_API_KEY ?? auth.body.access_token.token;
    expect((await api("POST", "/apps", { Authorization: `Bearer ${apiKey}` }, { name: app })).status).toBe(201);
    const { fixtureRepo, push, remoteUrl } = await import("@/server/testing/git-push");
    const dir = await fixtureRepo("static");
    dirs.push(dir);
    const pushed = await push(dir, remoteUrl(baseUrl!, app, apiKey));
    expect(pushed.code, pushed.output).toBe(0);
  });

  afterAll(async () => {
    await api("DELETE", `/apps/${app}`, { Authorization: `Bearer ${apiKey}` });
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  it("domains:add routes a custom domain; domains lists it; maintenance:on answers 503", async () => {
    const hostname = `www.${app}.example.com`;
    const added = await ok(["domains:add", hostname, "-a", app], { apiKey });
    expect(added.stderr + added.stdout).toContain(`Adding ${hostname} to ${app}... done`);
    const listed = await ok(["domains", "-a", app], { apiKey });
    expect(listed.stdout).toContain(`${app}.localhost`);
    expect(listed.stdout).toMatch(new RegExp(`${hostname.replace(/\./g, "\\.")}\\s+CNAME\\s+${app}\\.localhost`));
    await expectEventually(async () => (await viaRouter(hostname)).body.includes("static site says hello"));
    expect((await viaRouter(`${app}.localhost`)).body).toContain("static site says hello");

    await ok(["maintenance:on", "-a", app], { apiKey });
    await expectEventually(async () => (await viaRouter(hostname)).status === 503);
    expect((await viaRouter(`${app}.localhost`)).body).toContain("Offline for maintenance");
    await ok(["maintenance:off", "-a", app], { apiKey });
    await expectEventually(async () => (await viaRouter(hostname)).status === 200);

    const removed = await ok(["domains:remove", hostname, "-a", app], { apiKey });
    expect(removed.stderr + removed.stdout).toContain(`Removing ${hostname} from ${app}... done`);
    await expectEventually(async () => (await viaRouter(hostname)).status === 404);
  });
});

// heroku logs (recent lines, filters, -t) and drains:add/remove, against a dyno that counts.
describe.skipIf(!baseUrl)("logs and drains with the CLI", { timeout: 180_000 }, () => {
  let apiKey: string;
  const app = `logs-${unique()}-${unique()}`;
  const COUNTER = `i=0; while true; do i=$((i+1)); echo "cli-line $i"; sleep 0.2; done`;

  beforeAll(async () => {
    const auth = await api("POST", "/oauth/authorizations", basicAuth(adminEmail!, adminPassword!), { description: "logs tests", expires_in: 3600 });
    apiKey = process.env.SLIPWAY_TEST_API_KEY ?? auth.body.access_token.token;
    expect((await api("POST", "/apps", { Authorization: `Bearer ${apiKey}` }, { name: app })).status).toBe(201);
    const res = await fetch(`${baseUrl}/api/trpc/releases.deployImage`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${apiKey}` },
      body: JSON.stringify({ json: { app, image: "slipway/stack:bookworm", processTypes: { worker: COUNTER } } }),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    await ok(["ps:scale", "worker=1", "-a", app], { apiKey });
  });

  afterAll(async () => {
    await api("DELETE", `/apps/${app}`, { Authorization: `Bearer ${apiKey}` });
  });

  const counted = (text: string) => [...text.matchAll(/ app\[worker\.1\]: cli-line (\d+)$/gm)].map((m) => Number(m[1]));

  it("logs prints recent lines in Heroku's form, filtered by dyno, source and -n", async () => {
    await expectEventually(async () => counted((await ok(["logs", "-a", app], { apiKey })).stdout).length >= 5, 60_000);
    const all = (await ok(["logs", "-a", app, "-n", "200"], { apiKey })).stdout;
    expect(all).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}\+00:00 app\[worker\.1\]: cli-line \d+$/m);
    expect(all).toMatch(/ app\[api\]: Release v2 created by user /);
    expect(all).toMatch(/ slipway\[worker\.1\]: State changed from starting to up$/m);
    const five = (await ok(["logs", "-a", app, "--dyno", "worker.1", "--source", "app", "-n", "5"], { apiKey })).stdout.trim().split("\n");
    expect(five).toHaveLength(5);
    expect(five.every((l) => / app\[worker\.1\]: cli-line \d+$/.test(l))).toBe(true);
    const platform = (await ok(["logs", "-a", app, "--source", "heroku"], { apiKey })).stdout;
    expect(counted(platform)).toEqual([]);
    expect(platform).toContain("slipway[worker.1]: ");
  });

  it("logs -t prints lines the dyno writes after it started", async () => {
    const before = Math.max(...counted((await ok(["logs", "-a", app, "--source", "app"], { apiKey })).stdout));
    const tail = spawn(herokuBin, ["logs", "-t", "-a", app, "--dyno", "worker"], { env: cliEnv({ apiKey }), stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    tail.stdout.on("data", (d: Buffer) => (out += d.toString()));
    tail.stderr.on("data", (d: Buffer) => (out += d.toString()));
    try {
      await expectEventually(async () => counted(out).some((n) => n > before + 3), 30_000);
      expect(tail.exitCode).toBeNull(); // still following
    } finally {
      tail.kill("SIGTERM");
    }
    const n = counted(out);
    expect(n.every((x, i) => i === 0 || x === n[i - 1]! + 1)).toBe(true);
  });

  it("drains:add sends the app's lines to a syslog receiver; drains lists it; drains:remove stops it", async () => {
    const net = await import("node:net");
    const received: string[] = [];
    const server = net.createServer((socket) => socket.on("data", (d) => received.push(d.toString())));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
    const url = `syslog://127.0.0.1:${(server.address() as import("node:net").AddressInfo).port}`;
    try {
      const added = await ok(["drains:add", url, "-a", app], { apiKey });
      expect(added.stdout).toContain(`Successfully added drain ${url}`);
      expect((await ok(["drains", "-a", app], { apiKey })).stdout).toMatch(new RegExp(`${url.replace(/[.]/g, "\\.")} \\(d\\.[0-9a-f-]{36}\\)`));
      // Octet-counted RFC 5424 frames, the drain token as HOSTNAME.
      await expectEventually(async () => /\d+ <190>1 \S+ d\.[0-9a-f-]{36} app worker\.1 - - cli-line \d+\n/.test(received.join("")), 30_000);
      const removed = await ok(["drains:remove", url, "-a", app], { apiKey });
      expect(removed.stdout).toContain(`Successfully removed drain ${url}`);
      expect((await ok(["drains", "-a", app], { apiKey })).stdout).not.toContain(url);
      const bad = await heroku(["drains:add", "gopher://example.com", "-a", app], { apiKey });
      expect(bad.code).not.toBe(0);
    } finally {
      server.close();
    }
  });
});

async function expectEventually(check: () => Promise<boolean>, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  expect.fail("condition not met in time");
}

// Add-ons with the CLI: real containers behind addons:create, attached to a second app
// whose dynos (the add-on fixture app) use DATABASE_URL through the router.
describe.skipIf(!baseUrl)("add-ons with the CLI", { timeout: 300_000 }, () => {
  let apiKey: string;
  const owner = `ao-${unique()}-${unique()}`;
  const other = `at-${unique()}-${unique()}`;
  let database = "";

  beforeAll(async () => {
    const auth = await api("POST", "/oauth/authorizations", basicAuth(adminEmail!, adminPassword!), { description: "add-on tests", expires_in: 3600 });
    apiKey = process.env.SLIPWAY_TEST_API_KEY ?? auth.body.access_token.token;
    for (const name of [owner, other]) expect((await api("POST", "/apps", { Authorization: `Bearer ${apiKey}` }, { name })).status).toBe(201);
  });

  afterAll(async () => {
    for (const name of [owner, other]) await api("DELETE", `/apps/${name}`, { Authorization: `Bearer ${apiKey}` });
  });

  it("addons:create heroku-postgresql --wait provisions it and sets DATABASE_URL", async () => {
    const started = Date.now();
    const run = await ok(["addons:create", "heroku-postgresql", "-a", owner, "--wait"], { apiKey });
    console.log(`CLI addons:create heroku-postgresql --wait: ${Date.now() - started} ms`);
    expect(run.stderr).toContain(`Creating heroku-postgresql on ${owner}... free`);
    database = /Created (postgresql-[a-z]+-\d+) as DATABASE_URL/.exec(run.stdout)?.[1] ?? "";
    expect(database, run.stdout).not.toBe("");
    const config = await ok(["config", "-a", owner], { apiKey });
    expect(config.stdout).toMatch(new RegExp(`DATABASE_URL:\\s+postgres://u[0-9a-f]+:[0-9a-f]{64}@${database}:5432/d[0-9a-f]+`));
    const releases = await ok(["releases", "-a", owner], { apiKey });
    expect(releases.stdout).toMatch(new RegExp(`v2\\s+Attach DATABASE \\(@ref:${database}\\)`));
  });

  it("addons and addons:info show it, its plan and its attachment", async () => {
    const list = await ok(["addons", "-a", owner], { apiKey });
    expect(list.stdout).toContain(`slipway-postgresql (${database})`);
    expect(list.stdout).toMatch(/as DATABASE/);
    expect(list.stdout).toMatch(/essential-0\s+free\s+free\s+created/);
    const info = await ok(["addons:info", database, "-a", owner], { apiKey });
    expect(info.stdout).toContain(`=== ${database}`);
    expect(info.stdout).toMatch(/Plan:\s+slipway-postgresql:essential-0/);
    expect(info.stdout).toMatch(new RegExp(`Attachments:\\s+${owner}::DATABASE`));
    expect(info.stdout).toMatch(new RegExp(`Owning app:\\s+${owner}`));
    expect(info.stdout).toMatch(/State:\s+created/);
  });

  it("addons:attach gives a second app the same database, which its dynos use; addons:detach takes it away", async () => {
    const attach = await ok(["addons:attach", database, "-a", other], { apiKey });
    expect(attach.stderr).toContain(`Attaching ${database} to ${other}... done`);
    expect(attach.stderr).toContain(`Setting DATABASE config vars and restarting ${other}... done, v2`);
    const all = await ok(["addons", "-a", other], { apiKey });
    expect(all.stdout).toContain(`(billed to ${owner} app)`);

    if (routerPort) {
      const { ensureAddonFixtureImage } = await import("@/server/testing/addon-fixture-image");
      const image = await ensureAddonFixtureImage();
      const res = await fetch(`${baseUrl}/api/trpc/releases.deployImage`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${apiKey}` },
        body: JSON.stringify({ json: { app: other, image, processTypes: { web: "node server.js" } } }),
      });
      expect(res.status, await res.clone().text()).toBe(200);
      const { get } = await import("@/server/testing/router");
      // Through the router to the new dyno, which connects with DATABASE_URL at once.
      await expectEventually(async () => {
        const r = await get(routerPort, `${other}.localhost`, "/pg?op=write&value=from-cli");
        return r.status === 200 && (JSON.parse(r.body) as { result: number }).result > 0;
      }, 90_000);
      const read = await get(routerPort, `${other}.localhost`, "/pg?op=read");
      expect(JSON.parse(read.body).result).toEqual(["from-cli"]);
    }

    const detach = await ok(["addons:detach", "DATABASE", "-a", other], { apiKey });
    expect(detach.stderr).toContain(`Detaching DATABASE to ${database} from ${other}... done`);
    expect(detach.stderr).toMatch(new RegExp(`Unsetting DATABASE config vars and restarting ${other}\\.\\.\\. done, v\\d+`));
    expect((await ok(["config", "-a", other], { apiKey })).stdout).not.toContain("DATABASE_URL");
  });

  it("addons:create heroku-redis without --wait provisions in the background; unknown services are refused", async () => {
    const run = await ok(["addons:create", "heroku-redis:mini", "-a", owner], { apiKey });
    const redis = /(redis-[a-z]+-\d+) is being created in the background/.exec(run.stdout)?.[1];
    expect(redis, run.stdout).toBeTruthy();
    await expectEventually(async () => /State:\s+created/.test((await heroku(["addons:info", redis!, "-a", owner], { apiKey })).stdout), 120_000);
    expect((await ok(["config", "-a", owner], { apiKey })).stdout).toMatch(/REDIS_URL:\s+redis:\/\/:[0-9a-f]{64}@redis-/);

    const bad = await heroku(["addons:create", "mysql", "-a", owner], { apiKey });
    expect(bad.code).not.toBe(0);
    expect(bad.stderr.replace(/\s*\n\s*›\s+/g, " ")).toContain("Services: slipway-postgresql, slipway-redis");
  });

  it("addons:destroy removes it and its config var", async () => {
    const run = await ok(["addons:destroy", database, "-a", owner, "--confirm", owner], { apiKey });
    expect(run.stderr).toContain(`Destroying ${database} on ${owner}... done`);
    const list = await ok(["addons", "-a", owner], { apiKey });
    expect(list.stdout).not.toContain(database);
    expect((await ok(["config", "-a", owner], { apiKey })).stdout).not.toContain("DATABASE_URL");
  });
});
