// Buildpack installations, the buildpack registry, the build cache purge and a release's
// output link, through the Platform API handler and the dashboard's tRPC procedures:
// the rules (names, refusals, who may), the shapes the CLI reads and the audit trail.
// The build cache is a real Engine volume; releases are made from the stack image.
import { describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { cacheVolumeName } from "@/server/build/image";
import { call, unique, userWithKey } from "@/server/platform-api/test-client";
import { docker } from "@/server/runtime/docker";
import { createApp } from "@/server/services/apps";
import { createApiKey, revokeApiKey } from "@/server/services/api-keys";
import { createImageRelease, releaseImage } from "@/server/services/deploys";
import { callerFor, errorOf, newUser } from "@/server/testing/callers";
import { GET as releaseOutput } from "@/app/api/apps/[app]/releases/[release]/output/route";

const STACK = "slipway/stack:bookworm";

async function ownApp(prefix = "bp") {
  const owner = await userWithKey();
  const app = await createApp({ userId: owner.id, name: `${prefix}-${unique()}` });
  return { owner, app, key: owner.key };
}

async function activity(appId: string, kind: string) {
  return (await db.activityEvent.findMany({ where: { appId, kind }, orderBy: { createdAt: "asc" }, select: { message: true, via: true } })).map((e) => `${e.via}: ${e.message}`);
}

/** Reads a release's output link the way the CLI does: a plain GET, no credentials. */
async function readOutput(url: string, app: string) {
  const u = new URL(url);
  const release = u.pathname.split("/")[5]!;
  const res = await releaseOutput(new Request(`http://localhost${u.pathname}${u.search}`), { params: Promise.resolve({ app, release }) });
  return { status: res.status, text: await res.text() };
}

describe("buildpack installations", () => {
  it("sets, lists and clears an app's buildpacks in Heroku's shape, whatever spelling the CLI sends", async () => {
    const { app, key } = await ownApp();
    const path = `/apps/${app.name}/buildpack-installations`;
    expect(await call("GET", path, { key })).toMatchObject({ status: 200, body: [] });

    const set = await call("PUT", path, { key, headers: { Range: "" }, body: { updates: [{ buildpack: "urn:buildpack:heroku/python" }] } });
    expect(set).toMatchObject({ status: 200, body: [{ ordinal: 0, buildpack: { url: "heroku/python", name: "heroku/python" } }] });
    const two = await call("PUT", path, { key, body: { updates: [{ buildpack: "https://github.com/heroku/heroku-buildpack-nodejs" }, { buildpack: "heroku/python" }] } });
    expect(two.body.map((b: { ordinal: number; buildpack: { name: string } }) => `${b.ordinal}:${b.buildpack.name}`)).toEqual(["0:heroku/nodejs", "1:heroku/python"]);
    expect((await call("GET", path, { key })).body).toEqual(two.body);
    expect((await db.app.findUniqueOrThrow({ where: { id: app.id } })).buildpacks).toEqual(["heroku/nodejs", "heroku/python"]);

    // The same list again changes nothing and records nothing.
    await call("PUT", path, { key, body: { updates: [{ buildpack: "heroku/nodejs" }, { buildpack: "heroku/python" }] } });
    expect(await call("PUT", path, { key, body: { updates: [] } })).toMatchObject({ status: 200, body: [] });
    expect(await activity(app.id, "deploy.buildpacks")).toEqual([
      "cli: Buildpacks set to heroku/python",
      "cli: Buildpacks set to heroku/nodejs, heroku/python",
      "cli: Buildpacks cleared: the next build detects the app type",
    ]);
  });

  it("refuses buildpacks Slipway cannot build with, naming the ones it can", async () => {
    const { app, key } = await ownApp();
    const path = `/apps/${app.name}/buildpack-installations`;
    const unknown = await call("PUT", path, { key, body: { updates: [{ buildpack: "https://github.com/heroku/heroku-buildpack-ruby" }] } });
    expect(unknown).toMatchObject({ status: 422, body: { id: "invalid_params" } });
    expect(unknown.body.message).toBe(
      "https://github.com/heroku/heroku-buildpack-ruby is not a buildpack Slipway can build with. Slipway builds with heroku/nodejs or heroku/python (or, with no buildpack set, detects the app type: a Dockerfile, Node.js, Python or a static site).",
    );
    // What the CLI sends when the registry did not know the name: an entry without one.
    expect((await call("PUT", path, { key, body: { updates: [{}] } })).body.message).toMatch(/^That buildpack is not in Slipway's buildpack registry\. Slipway builds with heroku\/nodejs or heroku\/python/);
    expect((await call("PUT", path, { key, body: { updates: [{ buildpack: "heroku/python" }, { buildpack: "urn:buildpack:heroku/python" }] } })).body.message).toBe("heroku/python is listed twice.");
    expect((await call("GET", path, { key })).body).toEqual([]);
  });

  it("answers the CLI's registry lookups without credentials, for the buildpacks it has only", async () => {
    const known = await call("GET", `/buildpacks/${encodeURIComponent("heroku/python")}`, { key: null, headers: { Accept: "application/vnd.heroku+json; version=3.buildpack-registry" } });
    expect(known).toMatchObject({ status: 200, body: { name: "python", namespace: "heroku", blob_url: "urn:buildpack:heroku/python" } });
    expect((await call("GET", "/buildpacks/heroku/nodejs", { key: null })).body.blob_url).toBe("urn:buildpack:heroku/nodejs");
    const missing = await call("GET", `/buildpacks/${encodeURIComponent("heroku/ruby")}`, { key: null });
    expect(missing).toMatchObject({ status: 404, body: { id: "not_found", message: "heroku/ruby is not in Slipway's buildpack registry: it has heroku/nodejs and heroku/python." } });
  });

  it("shows the dashboard the buildpacks and the last build's, and lets only deployers change them", async () => {
    const owner = await newUser("bp-owner");
    const viewer = await newUser("bp-viewer");
    const app = await callerFor(owner.id).apps.create({ name: `bpd-${unique()}` });
    await callerFor(owner.id).access.add({ app: app.name, email: viewer.email, permissions: ["view"] });
    expect(await callerFor(viewer.id).buildpacks.list({ app: app.name })).toEqual({ installed: [], lastBuild: null });

    await db.build.create({ data: { appId: app.id, status: "succeeded", buildpack: "nodejs" } });
    expect(await callerFor(owner.id).buildpacks.set({ app: app.name, buildpacks: ["heroku/python"] })).toEqual({ installed: ["heroku/python"] });
    expect(await callerFor(viewer.id).buildpacks.list({ app: app.name })).toMatchObject({ installed: ["heroku/python"], lastBuild: { buildpack: "nodejs", status: "succeeded" } });
    expect((await errorOf(callerFor(viewer.id).buildpacks.set({ app: app.name, buildpacks: [] }))).code).toBe("FORBIDDEN");
    const refused = await errorOf(callerFor(owner.id).buildpacks.set({ app: app.name, buildpacks: ["heroku/go"] }));
    expect(refused.code).toBe("UNPROCESSABLE_CONTENT");
    expect(refused.message).toMatch(/^heroku\/go is not a buildpack Slipway can build with/);
    expect(await activity(app.id, "deploy.buildpacks")).toEqual(["dashboard: Buildpacks set to heroku/python"]);
  });
});

describe("build cache purge", () => {
  it("removes the app's cache volume (DELETE /apps/{app}/build-cache answers 202), and says when it was empty", async () => {
    const { app, key } = await ownApp("purge");
    const volume = docker().getVolume(cacheVolumeName(app.id));
    await docker().createVolume({ Name: cacheVolumeName(app.id), Labels: { "slipway.managed": "1" } });
    try {
      expect(await call("DELETE", `/apps/${app.name}/build-cache`, { key })).toMatchObject({ status: 202, body: {} });
      await expect(volume.inspect()).rejects.toMatchObject({ statusCode: 404 });
      expect(await call("DELETE", `/apps/${app.name}/build-cache`, { key })).toMatchObject({ status: 202 });
      expect(await activity(app.id, "deploy.cache_purged")).toEqual(["cli: Build cache purged: the next build starts without it", "cli: Build cache purged (it was already empty)"]);

      // A running build holds the cache: refused with what to do, not an Engine message.
      await db.build.create({ data: { appId: app.id, status: "building" } });
      expect(await call("DELETE", `/apps/${app.name}/build-cache`, { key })).toMatchObject({
        status: 409,
        body: { message: "A build of this app is running and using its build cache; purge the cache once the build has finished." },
      });
    } finally {
      await volume.remove().catch(() => {});
    }
  });

  it("is a deploy permission, and the dashboard's button calls the same service", async () => {
    const owner = await newUser("purge-owner");
    const viewer = await newUser("purge-viewer");
    const app = await callerFor(owner.id).apps.create({ name: `purge-${unique()}` });
    await callerFor(owner.id).access.add({ app: app.name, email: viewer.email, permissions: ["view"] });
    expect((await errorOf(callerFor(viewer.id).buildpacks.purgeCache({ app: app.name }))).code).toBe("FORBIDDEN");
    expect(await callerFor(owner.id).buildpacks.purgeCache({ app: app.name })).toEqual({ purged: false });
  });
});

describe("release output and releases of a slug", () => {
  async function builtRelease(processTypes: Record<string, string>) {
    const { owner, app, key } = await ownApp("rel");
    const build = await db.build.create({
      data: { appId: app.id, userId: owner.id, status: "succeeded", buildpack: "nodejs", output: "-----> Node.js app detected\n-----> Released v2\n" },
    });
    await createImageRelease({ appId: app.id, userId: owner.id, description: "Deploy abc1234", imageTag: STACK, processTypes, buildId: build.id, status: "succeeded", outputSource: "build" });
    return { owner, app, key, build };
  }

  it("links a build's release to the build's output; a config change has none", async () => {
    const { owner, app, key } = await builtRelease({ web: "node server.js" });
    const release = await call("GET", `/apps/${app.name}/releases/2`, { key });
    expect(release.body.output_stream_url).toMatch(new RegExp(`^http://localhost:\\d+/api/apps/${app.name}/releases/v2/output\\?token=`));
    expect(await readOutput(release.body.output_stream_url, app.name)).toEqual({ status: 200, text: "-----> Node.js app detected\n-----> Released v2\n" });

    await callerFor(owner.id).config.set({ app: app.name, key: "A", value: "1" });
    const list = await call("GET", `/apps/${app.name}/releases`, { key, headers: { Range: "version ..; max=10, order=desc" } });
    expect(list.body.map((r: { version: number; output_stream_url: string | null }) => [r.version, !!r.output_stream_url])).toEqual([[3, false], [2, true], [1, false]]);

    // The link is the caller's: a tampered one, another release's, or a revoked key's is refused.
    const url = new URL(release.body.output_stream_url);
    expect((await readOutput(`${url.origin}${url.pathname}?token=${url.searchParams.get("token")}x`, app.name)).status).toBe(403);
    expect((await readOutput(`${url.origin}${url.pathname.replace("/v2/", "/v3/")}${url.search}`, app.name)).status).toBe(403);
    const other = await createApiKey({ userId: owner.id, description: "revoked soon" });
    const viaOther = await call("GET", `/apps/${app.name}/releases/2`, { key: other.token });
    await revokeApiKey({ userId: owner.id, keyId: other.id });
    expect((await readOutput(viaOther.body.output_stream_url, app.name)).status).toBe(401);
  });

  it("releases a slug again with the current config; a release phase runs in the background and fails the release when it cannot run", async () => {
    const { app, key, build } = await builtRelease({ web: "node server.js" });
    const again = await call("POST", `/apps/${app.name}/releases`, { key, body: { slug: build.id, description: "Retry of v2: Deploy abc1234" } });
    expect(again).toMatchObject({ status: 201, body: { version: 3, status: "succeeded", current: true, description: "Retry of v2: Deploy abc1234", slug: { id: build.id }, output_stream_url: null } });
    expect(await call("POST", `/apps/${app.name}/releases`, { key, body: { slug: "00000000-0000-0000-0000-000000000000" } })).toMatchObject({ status: 404, body: { resource: "slug" } });
    expect(await call("POST", `/apps/${app.name}/releases`, { key, body: { description: "no slug" } })).toMatchObject({ status: 422 });

    // With a release phase: listed in the formation (what releases:retry looks for), run for
    // the new release. These unit tests have no dyno manager, so the phase cannot start.
    const withPhase = await builtRelease({ web: "node server.js", release: "node migrate.js" });
    const formation = await call("GET", `/apps/${withPhase.app.name}/formation`, { key: withPhase.key });
    expect(formation.body.map((f: { type: string; quantity: number; command: string }) => `${f.type}=${f.quantity}:${f.command}`)).toEqual(["release=0:node migrate.js", "web=1:node server.js"]);
    const retry = await call("POST", `/apps/${withPhase.app.name}/releases`, { key: withPhase.key, body: { slug: withPhase.build.id, description: "Retry of v2" } });
    expect(retry.body).toMatchObject({ version: 3, status: "pending", current: false });
    const output = await readOutput(retry.body.output_stream_url, withPhase.app.name);
    expect(output.text).toBe("-----> Running release command: node migrate.js\n !     The dyno manager is not running.\n");
    expect((await db.release.findFirstOrThrow({ where: { appId: withPhase.app.id, version: 3 } })).status).toBe("failed");
    expect((await call("GET", `/apps/${withPhase.app.name}/releases/3`, { key: withPhase.key })).body).toMatchObject({ status: "failed", current: false });
    expect(await activity(withPhase.app.id, "deploy.release_failed")).toEqual(["cli: Retry of v2: v3 failed in its release phase"]);
  });

  it("makes no output link for releases without a build (an image deploy)", async () => {
    const { owner, app, key } = await ownApp("img");
    await releaseImage({ appId: app.id, userId: owner.id, imageTag: STACK, processTypes: { web: "x" }, description: "Deploy image" });
    expect((await call("GET", `/apps/${app.name}/releases/2`, { key })).body.output_stream_url).toBeNull();
  });
});
