// App setups end to end below HTTP, with the real Docker Engine, the builder image and a real
// Redis add-on: an uploaded archive with app.json becomes a running app (generated secret,
// formation, add-on attached, postdeploy run once), and every failure (a malformed app.json,
// a refused or fetched URL, a failed build after add-ons were made) removes the app and all
// it had, while the setup stays readable by its creator only.
import crypto from "node:crypto";
import http from "node:http";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { POST as uploadSource } from "@/app/api/app-setups/sources/route";
import { makeTarball } from "@/e2e/fixtures/tarball";
import { listAddonResources } from "@/server/addons/engine";
import { removeBuildArtifacts } from "@/server/build/cleanup";
import { db } from "@/server/db";
import { reloadEnv } from "@/server/env";
import { handlePlatformRequest } from "@/server/platform-api/handle";
import { startRuntime, stopRuntime } from "@/server/runtime";
import { destroyAddon, listAddonsForApp } from "@/server/services/addons";
import { createApiKey } from "@/server/services/api-keys";
import { waitForSetup } from "@/server/services/app-setups/run";
import { getConfigVars } from "@/server/services/config-vars";
import { listFormation } from "@/server/services/formation";
import { ensureAddonImages } from "@/server/testing/addon-images";
import { callerFor, errorOf, newUser, unique } from "@/server/testing/callers";
import { dynoAnswer, FIXTURES } from "@/server/testing/git-push";
import { cleanupInstallation, testRuntimeOptions, waitFor } from "@/server/testing/runtime";

const opts = testRuntimeOptions({ bootTimeoutMs: 20_000 });
const FIXTURE = path.join(FIXTURES, "appjson-node");
let userId: string;
let key: string;
let otherKey: string;
let otherId: string;
const appIds: string[] = [];

beforeAll(async () => {
  await db.setting.create({ data: { key: "installation_id", value: opts.installation } });
  await ensureAddonImages();
  userId = (await newUser("setup")).id;
  key = (await createApiKey({ userId, description: "setups" })).token;
  otherId = (await newUser("setup-other")).id;
  otherKey = (await createApiKey({ userId: otherId, description: "setups" })).token;
  await startRuntime(opts);
}, 600_000);

afterAll(async () => {
  for (const a of await db.addon.findMany({ select: { id: true } })) await destroyAddon({ addonId: a.id, userId }).catch(() => undefined);
  await stopRuntime();
  await cleanupInstallation(opts.installation);
  for (const id of appIds) await removeBuildArtifacts(id);
});

async function upload(tarball: Buffer, apiKey = key): Promise<string> {
  const res = await uploadSource(
    new Request("http://localhost/api/app-setups/sources", { method: "POST", headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/gzip" }, body: new Uint8Array(tarball) }),
  );
  const body = (await res.json()) as { id?: string; error?: { message: string } };
  if (res.status !== 201) throw new Error(`upload refused: ${res.status} ${body.error?.message}`);
  return body.id!;
}

async function api(method: string, url: string, apiKey: string, body?: unknown) {
  const res = await handlePlatformRequest(
    new Request(`http://localhost/api/v3${url}`, {
      method,
      headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json", Accept: "application/vnd.heroku+json; version=3" },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
  );
  return { status: res.status, body: (await res.json()) as Record<string, any> };
}

/** Creates the setup from an upload through tRPC, waits for it to end, and reads it back. */
async function setupFrom(tarball: Buffer, env: Record<string, string> = {}) {
  const caller = callerFor(userId);
  const created = await caller.appSetups.create({ name: `setup-${unique()}`, source: { uploadId: await upload(tarball) }, env });
  expect(created.status).toBe("pending");
  if (created.app.id) appIds.push(created.app.id);
  await waitForSetup(created.id);
  return { created, setup: await caller.appSetups.get({ id: created.id }) };
}

describe("an app setup from an uploaded archive with app.json", () => {
  it("generates the secret, scales the formation, attaches Redis and runs postdeploy once", async () => {
    const { created, setup } = await setupFrom(makeTarball(FIXTURE));
    expect(setup.failureMessage).toBeNull();
    expect(setup.status).toBe("succeeded");
    expect(setup.steps.map((s) => `${s.key}:${s.status}`)).toEqual([
      "source:succeeded",
      "manifest:succeeded",
      "config:succeeded",
      "formation:succeeded",
      "addons:succeeded",
      "build:succeeded",
      "scale:succeeded",
      "postdeploy:succeeded",
    ]);
    const appId = created.app.id!;
    expect(setup.app).toMatchObject({ id: appId, name: created.app.name });
    expect(setup.appRemoved).toBe(false);

    // Config vars: the generated secret (64 hex), the manifest's value, the add-on's URL; no optional var.
    const config = await getConfigVars(appId);
    const secret = config.SECRET_TOKEN!;
    expect(secret).toMatch(/^[0-9a-f]{64}$/);
    expect(config.GREETING).toBe("hello");
    expect(config.REDIS_URL).toMatch(/^redis:\/\//);
    expect(config).not.toHaveProperty("OPTIONAL_HINT");

    // Never echoed: not in the setup (steps, build output, postdeploy output), nor in the Platform API's answer.
    const fromApi = await api("GET", `/app-setups/${created.id}`, key);
    expect(JSON.stringify(setup)).not.toContain(secret);
    expect(JSON.stringify(fromApi.body)).not.toContain(secret);
    expect(setup.steps.find((s) => s.key === "config")!.detail).toContain("SECRET_TOKEN");
    expect(setup.buildOutput).toContain("Using the buildpack app.json names (Node.js)");

    // The add-on, attached as app.json says.
    const addons = await listAddonsForApp(appId);
    expect(addons.map((a) => ({ service: a.service, plan: a.plan, state: a.state }))).toEqual([{ service: "slipway-redis", plan: "mini", state: "available" }]);
    expect(await db.addonAttachment.findMany({ where: { appId }, select: { name: true } })).toEqual([{ name: "REDIS" }]);

    // The formation, and real dynos converging on it.
    expect((await listFormation(appId)).map((f) => `${f.type}=${f.quantity}:${f.size}`)).toEqual(["web=2:standard-1x", "worker=1:standard-1x"]);
    await waitFor("web.1, web.2 and worker.1 up", async () => {
      const up = await db.dyno.findMany({ where: { appId, state: "up", type: { in: ["web", "worker"] } }, select: { name: true }, orderBy: { name: "asc" } });
      return up.map((d) => d.name).join(",") === "web.1,web.2,worker.1";
    }, 60_000);

    // What the app itself sees: the secret (by its hash), and postdeploy's count in its Redis: one run.
    const answer = JSON.parse((await waitFor("web.2 to answer", () => dynoAnswer(opts.installation, appId, "web.2"), 30_000))!) as Record<string, unknown>;
    expect(answer).toMatchObject({ app: "appjson-node", greeting: "hello", postdeployRuns: "1", dyno: "web.2" });
    expect(answer.secretSha256).toBe(crypto.createHash("sha256").update(secret).digest("hex"));
    expect(setup.postdeploy).toEqual({ output: expect.stringContaining("postdeploy run 1"), exitCode: 0 });
    const runs = await db.activityEvent.findMany({ where: { appId, kind: "dynos.run" }, select: { message: true } });
    expect(runs.map((r) => r.message)).toEqual(["Ran `node` in one-off dyno postdeploy.1"]);

    // Heroku's shape for the CLI and scripts.
    expect(fromApi.status).toBe(200);
    expect(fromApi.body).toMatchObject({
      id: created.id,
      status: "succeeded",
      failure_message: null,
      app: { id: appId, name: created.app.name },
      build: { id: setup.build!.id, status: "succeeded" },
      manifest_errors: [],
      postdeploy: { exit_code: 0 },
    });
    expect(fromApi.body.resolved_success_url).toMatch(new RegExp(`^http://${created.app.name}\\..*/welcome$`));
    // The parsed manifest, pr-predestroy included, stays with the setup (review apps read it).
    const stored = await db.appSetup.findUniqueOrThrow({ where: { id: created.id }, select: { manifest: true } });
    expect((stored.manifest as { scripts: unknown }).scripts).toMatchObject({ prPredestroy: { command: "node postdeploy.js --bye" } });

    // Someone else sees nothing of it (the app is personal and they are not on it).
    expect((await api("GET", `/app-setups/${created.id}`, otherKey)).status).toBe(404);
    expect(await errorOf(callerFor(otherId).appSetups.get({ id: created.id }))).toMatchObject({ code: "NOT_FOUND" });
  }, 600_000);

  it("fails a malformed app.json with every JSON path and removes the app", async () => {
    const bad = JSON.stringify({ env: { SECRET: { generator: "uuid" } }, formation: { web: { quantity: -1 } }, addons: [{ plan: "papertrail" }], stack: "heroku-24" });
    const { created, setup } = await setupFrom(makeTarball(FIXTURE, { "app.json": bad }));
    expect(setup.status).toBe("failed");
    expect(setup.failureMessage).toBe("app.json is not valid: 4 problems.");
    expect(setup.manifestErrors).toEqual([
      'env.SECRET.generator: must be "secret" (the only generator), not "uuid"',
      "formation.web.quantity: must be a whole number from 0 to 1000",
      expect.stringMatching(/^addons\[0\]\.plan: "papertrail" is not an add-on service here/),
      'stack: "heroku-24" is not a stack here: this platform has one stack, bookworm',
    ]);
    expect(setup.steps.map((s) => s.status)).toEqual(["succeeded", "failed", "skipped", "skipped", "skipped", "skipped", "skipped", "skipped"]);
    expect(setup.appRemoved).toBe(true);
    expect(await db.app.findUnique({ where: { id: created.app.id! } })).toBeNull();
    // The creator still reads it (the app is gone); Heroku's shape names the app it had.
    const fromApi = await api("GET", `/app-setups/${created.id}`, key);
    expect(fromApi.body).toMatchObject({ status: "failed", app: { name: created.app.name }, manifest_errors: setup.manifestErrors });
    expect((await api("GET", `/app-setups/${created.id}`, otherKey)).status).toBe(404);
  });

  it("fails when a required config var has no value, unless the setup gives one", async () => {
    const manifest = JSON.stringify({ env: { API_TOKEN: { description: "Your token" } } });
    const { setup } = await setupFrom(makeTarball(FIXTURE, { "app.json": manifest }));
    expect(setup.status).toBe("failed");
    expect(setup.manifestErrors).toEqual(["env.API_TOKEN: is required and has no value: give one (Your token)"]);
    const given = await setupFrom(makeTarball(FIXTURE, { "app.json": manifest }), { API_TOKEN: "from-the-form" });
    expect(given.setup.status).toBe("succeeded");
    expect((await getConfigVars(given.created.app.id!)).API_TOKEN).toBe("from-the-form");
  }, 300_000);

  it("removes the add-ons it made when the build fails", async () => {
    const manifest = JSON.stringify({ addons: ["heroku-redis"] });
    // No package.json, requirements.txt, Dockerfile or index.html: the build fails at detection.
    const tarball = makeTarball(path.join(FIXTURES, "node-zero"), { "app.json": manifest, "package.json": "", "index.txt": "x" });
    const { created, setup } = await setupFrom(tarball);
    expect(setup.status).toBe("failed");
    expect(setup.failureMessage).toMatch(/^The build failed: /);
    expect(setup.steps.find((s) => s.key === "addons")!.status).toBe("succeeded");
    expect(setup.steps.find((s) => s.key === "build")!.status).toBe("failed");
    expect(setup.buildOutput).toContain("Build failed.");
    expect(setup.appRemoved).toBe(true);
    expect(await db.app.findUnique({ where: { id: created.app.id! } })).toBeNull();
    expect(await db.addon.count({ where: { appId: created.app.id! } })).toBe(0);
    expect(await db.configVar.count({ where: { appId: created.app.id! } })).toBe(0);
    // And the Engine holds nothing of it (container, volume, network): only live add-ons' resources remain.
    const live = new Set((await db.addon.findMany({ select: { id: true } })).map((a) => a.id));
    expect((await listAddonResources(opts.installation)).filter((r) => !live.has(r.id))).toEqual([]);
  }, 300_000);
});

describe("an app setup from a source URL (Platform API)", () => {
  it("refuses a private address unless an admin allows it, then fetches the archive", async () => {
    const tarball = makeTarball(FIXTURE, { "app.json": '{"env": {"A": 1}}' });
    const server = http.createServer((req, res) => {
      if (req.url === "/redirect") return res.writeHead(302, { Location: "/source.tar.gz" }).end();
      res.writeHead(200, { "Content-Type": "application/gzip" }).end(tarball);
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
    try {
      const refused = await api("POST", "/app-setups", key, { source_blob: { url: `${url}/source.tar.gz` } });
      expect(refused.status).toBe(201);
      expect(refused.body.status).toBe("pending");
      appIds.push(refused.body.app.id);
      await waitForSetup(refused.body.id);
      const r1 = await api("GET", `/app-setups/${refused.body.id}`, key);
      expect(r1.body).toMatchObject({ status: "failed", failure_message: expect.stringMatching(/^Fetching the source was refused: 127\.0\.0\.1 is a private address/) });
      expect(await db.app.findUnique({ where: { id: refused.body.app.id } })).toBeNull();

      process.env.SLIPWAY_DRAIN_ALLOWED_CIDRS = "127.0.0.0/8";
      reloadEnv();
      const fetched = await api("POST", "/app-setups", key, { app: { name: `url-${unique()}` }, source_blob: { url: `${url}/redirect`, checksum: `SHA256:${crypto.createHash("sha256").update(tarball).digest("hex")}` } });
      expect(fetched.status).toBe(201);
      await waitForSetup(fetched.body.id);
      const r2 = await api("GET", `/app-setups/${fetched.body.id}`, key);
      // Fetched (through the redirect, checksum matching), then app.json's own problem, with its path.
      expect(r2.body).toMatchObject({ status: "failed", manifest_errors: ["env.A: must be a string or an object with value, description, required or generator, not a number"] });
      const setup = await callerFor(userId).appSetups.get({ id: fetched.body.id });
      expect(setup.steps[0]).toMatchObject({ key: "source", status: "succeeded" });
      expect(setup.source).toMatchObject({ kind: "url", url: `${url}/redirect` });

      // A wrong checksum fails the setup at the source step.
      const wrong = await api("POST", "/app-setups", key, { source_blob: { url: `${url}/source.tar.gz`, checksum: `SHA256:${"0".repeat(64)}` } });
      await waitForSetup(wrong.body.id);
      expect((await api("GET", `/app-setups/${wrong.body.id}`, key)).body.failure_message).toMatch(/^The source's checksum is SHA256:[0-9a-f]{64}, not the SHA256:0{64} given\.$/);
    } finally {
      delete process.env.SLIPWAY_DRAIN_ALLOWED_CIDRS;
      reloadEnv();
      server.close();
    }
  });

  it("refuses bad bodies before anything is made", async () => {
    const before = await db.app.count();
    expect((await api("POST", "/app-setups", key, { source_blob: { url: "ftp://example.com/x.tgz" } })).status).toBe(422);
    expect((await api("POST", "/app-setups", key, { app: { stack: "heroku-24" }, source_blob: { url: "https://example.com/x.tgz" } })).status).toBe(422);
    expect((await api("POST", "/app-setups", key, { source_blob: { url: "https://example.com/x.tgz" }, overrides: { env: { "BAD KEY": "x" } } })).status).toBe(422);
    // A team the caller is not in: createApp refuses it, as for any new app.
    expect((await api("POST", "/app-setups", key, { app: { organization: "no-such-team" }, source_blob: { url: "https://example.com/x.tgz" } })).status).toBe(404);
    // An upload that is not an archive, and another user's upload id.
    const res = await uploadSource(new Request("http://localhost/api/app-setups/sources", { method: "POST", headers: { Authorization: `Bearer ${key}` }, body: "{}" }));
    expect(res.status).toBe(400);
    const theirs = await upload(makeTarball(FIXTURE), otherKey);
    expect(await errorOf(callerFor(userId).appSetups.create({ source: { uploadId: theirs } }))).toMatchObject({ code: "NOT_FOUND" });
    expect(await db.app.count()).toBe(before);
  });
});
