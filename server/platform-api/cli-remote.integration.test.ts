// The official CLI against a "remote" installation: the platform reached by a hostname that
// is not loopback (a test name that the companion's --resolve and git's http.curloptResolve
// point at this machine's non-loopback address), over TLS through a router whose
// SLIPWAY_DASHBOARD_HOST sends that name to the control plane, with a certificate from a
// test CA that only this file's clients trust. The CLI itself talks only to the companion
// (scripts/heroku-remote.mjs) on 127.0.0.1; everything else crosses TLS.
import { spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { api, baseUrl, bearer, cliEnv, herokuBin, newUser, removeHomes, unique, type Run } from "@/server/testing/heroku-cli";
import { startRouter } from "@/server/testing/router";
import { issueCert, makeTestCa, type TestCa } from "@/server/testing/tls";

const COMPANION = path.join(process.cwd(), "scripts/heroku-remote.mjs");

/** An IPv4 address of this machine that is not loopback (nor a Docker bridge's). */
function nonLoopbackAddress(): string | undefined {
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    if (/^(docker|br-|veth|sw)/.test(name)) continue;
    const a = addrs?.find((x) => x.family === "IPv4" && !x.internal);
    if (a) return a.address;
  }
  return undefined;
}

const address = nonLoopbackAddress();

describe.skipIf(!baseUrl || !address)("the heroku CLI against a remote installation (scripts/heroku-remote.mjs)", { timeout: 300_000 }, () => {
  const host = `slipway-remote-${unique()}.test`;
  const app = `remote-${unique()}-${unique()}`;
  let ca: TestCa;
  let routerDir: string;
  let router: Awaited<ReturnType<typeof startRouter>>;
  let apiKey: string;
  let remoteUrl: string;
  const cleanup: string[] = [];
  const running = new Set<ChildProcess>();

  beforeAll(async () => {
    ca = makeTestCa("Slipway Remote CLI Test CA");
    const leaf = issueCert(ca, [host]);
    const pem = path.join(ca.dir, "dashboard.pem");
    fs.writeFileSync(pem, leaf.chainPem + leaf.keyPem, { mode: 0o600 });
    routerDir = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-remote-router-"));
    router = await startRouter({
      dataDir: routerDir,
      env: { SLIPWAY_DASHBOARD_HOST: host, SLIPWAY_DASHBOARD_TLS_CERT: pem, SLIPWAY_DASHBOARD_UPSTREAM: `127.0.0.1:${new URL(baseUrl!).port}` },
    });
    remoteUrl = `https://${host}:${router.httpsPort}`;
    ({ apiKey } = await newUser("remote"));
  });

  afterAll(async () => {
    for (const child of running) child.kill("SIGKILL");
    if (apiKey) await api("DELETE", `/apps/${app}`, bearer(apiKey));
    await router?.stop();
    for (const dir of [routerDir, ca?.dir, ...cleanup]) if (dir) fs.rmSync(dir, { recursive: true, force: true });
    removeHomes();
  });

  /** The companion running `heroku ARGS`, the remote reached at `address` by --resolve. */
  function companion(args: string[], o: { trustCa?: boolean } = {}): ChildProcess {
    const flags = ["--url", remoteUrl, "--resolve", `${host}:${router.httpsPort}:${address}`, "--heroku", herokuBin];
    if (o.trustCa !== false) flags.push("--ca", ca.cert);
    // cliEnv's HEROKU_HOST (the platform's loopback URL) is replaced by the companion's own.
    const env = { ...cliEnv({ apiKey }), NODE_EXTRA_CA_CERTS: "" };
    const child = spawn(process.execPath, [COMPANION, ...flags, "--", ...args], { env, stdio: ["ignore", "pipe", "pipe"] });
    running.add(child);
    child.on("exit", () => running.delete(child));
    return child;
  }

  function run(args: string[], o: { trustCa?: boolean } = {}): Promise<Run> {
    const child = companion(args, o);
    let stdout = "";
    let stderr = "";
    child.stdout!.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    return new Promise((resolve) => child.on("close", (code) => resolve({ code, stdout, stderr })));
  }

  async function ok(args: string[]) {
    const r = await run(args);
    expect(r.code, `heroku ${args.join(" ")}\n${r.stdout}\n${r.stderr}`).toBe(0);
    return r;
  }

  it("refuses an installation whose certificate it cannot verify (no --ca for the test CA)", async () => {
    const r = await run(["apps"], { trustCa: false });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/certificate/i);
  });

  it("apps:create, apps and config:set go through the forwarder and TLS to the dashboard's hostname", async () => {
    const created = await ok(["apps:create", app]);
    // The git URL printed is the installation's, not the forwarder's (gone after this command).
    expect(created.stdout + created.stderr).toContain(`${remoteUrl}/${app}.git`);
    expect(created.stdout + created.stderr).not.toMatch(/127\.0\.0\.1:\d+\/[^ ]*\.git/);
    expect((await ok(["apps"])).stdout).toContain(app);
    await ok(["config:set", "REMOTE_GREETING=hello-over-tls", "-a", app]);
    const vars = await api("GET", `/apps/${app}/config-vars`, bearer(apiKey));
    expect(vars.body.REMOTE_GREETING).toBe("hello-over-tls");
    expect((await ok(["config", "-a", app])).stdout).toMatch(/REMOTE_GREETING:\s+hello-over-tls/);
  });

  it("git push over HTTPS to the remote's name deploys, with the build streamed back", async () => {
    const { fixtureRepo, git } = await import("@/server/testing/git-push");
    const dir = await fixtureRepo("node-zero");
    cleanup.push(dir);
    const url = new URL(`${remoteUrl}/${app}.git`);
    url.username = "git";
    url.password = apiKey;
    const resolve = ["-c", `http.curloptResolve=${host}:${router.httpsPort}:${address}`];
    // GIT_SSL_CAINFO (this machine sets it to the system bundle) outranks http.sslCAInfo.
    const pushed = await git(dir, [...resolve, "push", url.toString(), "main"], { GIT_SSL_CAINFO: ca.cert });
    expect(pushed.output).toContain("remote: -----> Node.js app detected");
    expect(pushed.output).toMatch(/remote: -----> Released v\d+/);
    expect(pushed.code, pushed.output).toBe(0);
    // Without the test CA, git refuses the installation's certificate.
    const refused = await git(dir, [...resolve, "push", url.toString(), "main"], { GIT_SSL_CAINFO: "/etc/ssl/certs/ca-certificates.crt" });
    expect(refused.code).not.toBe(0);
    expect(refused.output).toMatch(/certificate/i);
  });

  it("logs -t streams through the forwarder: a config:set made while it runs shows up", async () => {
    const tail = companion(["logs", "-t", "-a", app]);
    let out = "";
    const seen = (pattern: RegExp, ms: number) =>
      new Promise<void>((resolve, reject) => {
        const check = () => {
          if (!pattern.test(out)) return;
          clearTimeout(timer);
          tail.stdout!.off("data", check);
          resolve();
        };
        const timer = setTimeout(() => reject(new Error(`${pattern} not seen in ${ms} ms:\n${out}`)), ms);
        tail.stdout!.on("data", check);
        check();
      });
    tail.stdout!.on("data", (d: Buffer) => (out += d.toString()));
    tail.stderr!.on("data", (d: Buffer) => (out += d.toString()));
    try {
      // The tail is open once the history it starts with has arrived.
      await seen(/ app\[api\]: /, 30_000);
      const flag = `TAIL_${unique().toUpperCase()}`;
      await ok(["config:set", `${flag}=1`, "-a", app]);
      await seen(new RegExp(`app\\[api\\]: Set ${flag} config vars`), 30_000);
      expect(tail.exitCode, out).toBeNull(); // still following
    } finally {
      tail.kill("SIGTERM");
    }
  });

  it("the router redirects plain HTTP for the dashboard's name to HTTPS", async () => {
    const { get } = await import("@/server/testing/router");
    const r = await get(router.port, host, "/api/health");
    expect(r.status).toBe(308);
    expect(r.headers.location).toBe(`https://${host}:${router.httpsPort}/api/health`);
  });
});
