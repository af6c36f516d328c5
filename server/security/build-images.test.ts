// Attacks on another tenant's code through images (issue 12, items 1 and 5), performed
// with real builds on the real Engine: tenant B names tenant A's image in
// releases.deployImage, in FROM / COPY --from (also by id, through an ARG), forges A's
// label, and builds A's exact Dockerfile hoping for A's cached layer; a Dockerfile build
// forks without end. Plus: a broken repository's git error does not reach the pusher.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { reloadEnv } from "@/server/env";
import { removeBuildArtifacts } from "@/server/build/cleanup";
import { gitRoot } from "@/server/build/git";
import { createApiKey } from "@/server/services/api-keys";
import { createApp } from "@/server/services/apps";
import { createBuild, getBuild } from "@/server/services/builds";
import { rollbackRelease } from "@/server/services/deploys";
import { runnableRelease } from "@/server/runtime/desired";
import { buildImage } from "@/server/build/images";
import { docker, STACK_IMAGE } from "@/server/runtime/docker";
import { installationId } from "@/server/services/settings";
import { createUser } from "@/server/services/users";
import { createCaller } from "@/server/trpc/root";
import { waitFor } from "@/server/testing/runtime";
import { fixtureRepo, push, remoteUrl } from "@/server/testing/git-push";
import { gitRoute, serveRoutes } from "@/server/testing/route-server";

type Tenant = { userId: string; appId: string; appName: string };
let a: Tenant;
let b: Tenant;

async function tenant(prefix: string): Promise<Tenant> {
  const user = await createUser({ email: `${prefix}-${Date.now()}@example.com`, password: "password1" });
  const app = await createApp({ userId: user.id, name: `${prefix}-${Date.now().toString(36)}` });
  return { userId: user.id, appId: app.id, appName: app.name };
}

beforeAll(async () => {
  a = await tenant("victim");
  b = await tenant("attacker");
});

afterAll(async () => {
  for (const t of [a, b]) if (t) await removeBuildArtifacts(t.appId);
});

async function tarOf(files: Record<string, string>): Promise<Buffer> {
  const pack = tar.pack();
  for (const [name, body] of Object.entries(files)) pack.entry({ name }, body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

/** Uploads a source with this Dockerfile for the tenant's app and waits for the build's end. */
async function build(t: Tenant, dockerfile: string) {
  const { build } = await createBuild({
    appId: t.appId,
    userId: t.userId,
    sourceKind: "tarball",
    sourceVersion: null,
    source: Readable.from([await tarOf({ Dockerfile: dockerfile, Procfile: "web: sleep 3600\n" })]),
  });
  return waitFor(`build ${build.id}`, async () => {
    const row = await getBuild({ appId: t.appId, buildId: build.id });
    return row.status === "succeeded" || row.status === "failed" ? row : null;
  }, 120_000);
}

const layers = async (ref: string) => (await docker().getImage(ref).inspect()).RootFS.Layers ?? [];
const labels = async (ref: string) => (await docker().getImage(ref).inspect()).Config.Labels ?? {};
// A layer no other build can produce by chance: the time of the step, in nanoseconds.
const STAMPED = `FROM ${STACK_IMAGE}\nRUN date +%s%N > /tmp/stamp\nRUN echo "tenant secret" > /tmp/secret\n`;

describe("another tenant's image", () => {
  let victimTag: string;
  let victimId: string;

  it("is A's alone: labelled for A, pinned by id in A's release, out of B's reach in releases.deployImage", async () => {
    const built = await build(a, STAMPED);
    expect(built.status, built.output).toBe("succeeded");
    victimTag = built.imageTag!;
    victimId = (await docker().getImage(victimTag).inspect()).Id;
    expect((await labels(victimTag))["slipway.app-id"]).toBe(a.appId);

    const asB = createCaller({ identity: { userId: b.userId, via: "session" } });
    for (const image of [victimTag, victimId, victimId.slice("sha256:".length, 19)]) {
      await expect(asB.releases.deployImage({ app: b.appName, image, processTypes: { web: "sleep 3600" } })).rejects.toMatchObject({
        code: "BAD_REQUEST",
        message: expect.stringContaining(`No image ${image} for this app`),
      });
    }
    expect(await runnableRelease(b.appId)).toBeNull();
    // A's release runs the image's id, not its name.
    expect((await runnableRelease(a.appId))?.imageTag).toBe(victimId);
    // Shared images stay deployable, pinned too.
    const shared = await asB.releases.deployImage({ app: b.appName, image: STACK_IMAGE, processTypes: { web: "sleep 3600" } });
    expect(shared.imageTag).toBe((await docker().getImage(STACK_IMAGE).inspect()).Id);

    // A deploys its own image by name; re-tagging the name later cannot swap A's code.
    const asA = createCaller({ identity: { userId: a.userId, via: "session" } });
    const own = await asA.releases.deployImage({ app: a.appName, image: victimTag, processTypes: { web: "sleep 3600" } });
    expect(own.imageTag).toBe(victimId);
    const [repo, tag] = [victimTag.slice(0, victimTag.lastIndexOf(":")), victimTag.slice(victimTag.lastIndexOf(":") + 1)];
    // (A throwaway image, never the stack image: clean-up removes whatever the app's names point to.)
    const context = fs.mkdtempSync(path.join(os.tmpdir(), "slipway-decoy-"));
    fs.writeFileSync(path.join(context, "Dockerfile"), `FROM ${STACK_IMAGE}\nLABEL slipway.decoy=1\n`);
    const decoy = `slipway-test/decoy:${Date.now().toString(36)}`;
    try {
      await buildImage({ contextDir: context, tag: decoy });
      await docker().getImage(decoy).tag({ repo, tag }); // the name now points elsewhere
      const rolled = await rollbackRelease({ appId: a.appId, userId: a.userId, version: own.version });
      expect(rolled.imageTag).toBe(victimId);
      expect((await runnableRelease(a.appId))?.imageTag).toBe(victimId);
    } finally {
      await docker().getImage(victimId).tag({ repo, tag }); // put it back for the tests below
      await docker().getImage(decoy).remove({ force: true }).catch(() => {});
      fs.rmSync(context, { recursive: true, force: true });
    }
  }, 180_000);

  it("cannot be named by B's Dockerfile: FROM, FROM through an ARG, COPY --from by name or id", async () => {
    const attempts: [string, string][] = [
      [`FROM ${victimTag}\n`, `Dockerfile line 1 (FROM ${victimTag}): ${victimTag} is not an image builds may use.`],
      [`ARG BASE=${victimTag}\nFROM \${BASE}\n`, `Dockerfile line 2 (FROM \${BASE}): ${victimTag} is not an image builds may use.`],
      [`from ${STACK_IMAGE}\ncopy \\\n  --from=${victimTag} /tmp/secret /tmp/stolen\n`, `Dockerfile line 2 (copy \\): ${victimTag} is not an image builds may use.`],
      [`FROM ${STACK_IMAGE}\nCOPY --from=${victimId} /tmp/secret /tmp/stolen\n`, `${victimId} is not an image builds may use.`],
    ];
    for (const [dockerfile, message] of attempts) {
      const r = await build(b, dockerfile);
      expect(r.status, dockerfile).toBe("failed");
      expect(r.error).toContain(message);
    }
    const images = await docker().listImages({ filters: { reference: [`slipway-app/${b.appId}`] } });
    expect(images).toEqual([]); // nothing was built from A's code
  }, 120_000);

  it("lends B no cached layer when B builds A's exact Dockerfile; B's own rebuild is cached", async () => {
    const first = await build(b, STAMPED);
    expect(first.status, first.output).toBe("succeeded");
    // Same steps on the same base: the old builder reused A's layers ("Using cache").
    expect(first.output).not.toContain("Using cache");
    const theirs = await layers(victimTag);
    const mine = await layers(first.imageTag!);
    expect(mine.slice(0, -2)).toEqual(theirs.slice(0, -2)); // the stack image's layers
    expect(mine.slice(-2)).not.toContain(theirs.at(-2));
    expect(mine.slice(-2)).not.toContain(theirs.at(-1));

    const again = await build(b, STAMPED);
    expect(again.status).toBe("succeeded");
    expect(again.output).toContain("Using cache");
    expect(await layers(again.imageTag!)).toEqual(mine);
  }, 180_000);

  it("still builds a multi-stage Dockerfile with --from=<stage>, labelled for B whatever its LABEL says", async () => {
    const r = await build(
      b,
      `FROM ${STACK_IMAGE} AS Builder\nRUN echo built > /tmp/out\nFROM ${STACK_IMAGE}\nCOPY --from=builder /tmp/out /tmp/out\nLABEL slipway.app-id=${a.appId}\n`,
    );
    expect(r.status, r.output).toBe("succeeded");
    expect((await labels(r.imageTag!))["slipway.app-id"]).toBe(b.appId);
    const asA = createCaller({ identity: { userId: a.userId, via: "session" } });
    await expect(asA.releases.deployImage({ app: a.appName, image: r.imageTag!, processTypes: { web: "sleep 3600" } })).rejects.toMatchObject({ code: "BAD_REQUEST" });
  }, 120_000);
});

describe("Dockerfile build confinement", () => {
  it("stops a fork storm at the pids limit (SLIPWAY_BUILD_PIDS)", async () => {
    process.env.SLIPWAY_BUILD_PIDS = "64";
    reloadEnv();
    try {
      const r = await build(b, `FROM ${STACK_IMAGE}\nRUN for i in $(seq 1 300); do sleep 2 & done; wait; echo forked-$((40+2))\n`);
      expect(r.status).toBe("failed");
      expect(r.output).not.toContain("forked-42");
      expect(r.output).toMatch(/fork|Resource temporarily unavailable/i);
    } finally {
      delete process.env.SLIPWAY_BUILD_PIDS;
      reloadEnv();
    }
  }, 120_000);
});

describe("Dockerfile build privileges", () => {
  it("gives a setuid-root program in a RUN step no root: the Engine's no_new_privs default holds", async () => {
    // The attack: as root, plant a setuid copy of cat and a root-only file; as nobody, read
    // the file through it. Without no_new_privs (dockerd's default), this prints the file.
    const r = await build(b, [
      `FROM ${STACK_IMAGE}`,
      "USER root",
      'RUN echo "root only" > /root-only && chmod 600 /root-only && cp /bin/cat /usr/local/bin/suidcat && chmod 4755 /usr/local/bin/suidcat',
      "USER nobody",
      'RUN /usr/local/bin/suidcat /root-only && echo "escalated-$((40+2))" || grep NoNewPrivs /proc/self/status',
      "",
    ].join("\n"));
    expect(r.output).not.toContain("escalated-42");
    expect(r.output).not.toContain("root only\n");
    expect(r.output).toMatch(/NoNewPrivs:\s*1/);
    expect(r.output).not.toContain("was not started with --no-new-privileges");
    expect(r.status).toBe("succeeded");
  }, 120_000);
});

describe("Dockerfile build time limit", () => {
  it("stops a Dockerfile build at SLIPWAY_BUILD_TIMEOUT_SECONDS and leaves no step running", async () => {
    const marker = 1000 + Math.floor(Math.random() * 8000); // `sleep <marker>` finds its container
    process.env.SLIPWAY_BUILD_TIMEOUT_SECONDS = "5";
    reloadEnv();
    try {
      const r = await build(b, `FROM ${STACK_IMAGE}\nRUN sleep ${marker}\n`);
      expect(r.status).toBe("failed");
      expect(r.error).toBe("The build timed out after 5 seconds (SLIPWAY_BUILD_TIMEOUT_SECONDS).");
    } finally {
      delete process.env.SLIPWAY_BUILD_TIMEOUT_SECONDS;
      reloadEnv();
    }
    await waitFor("the build step's container to go", async () => {
      const all = await docker().listContainers({ all: true });
      return all.some((c) => c.Command.includes(`sleep ${marker}`)) ? null : true;
    }, 30_000);
    // And the build's network with it, once the Engine lets go of it (removeBuildNetwork).
    const installation = await installationId();
    await waitFor("the build's network to go", async () => {
      const left = await docker().listNetworks({ filters: { label: ["slipway.build-network", `slipway.installation=${installation}`] } });
      return left.length ? null : true;
    }, 45_000);
  }, 120_000);
});

describe("git errors", () => {
  it("answers a push to a broken repository in our words: no git stderr, no server path", async () => {
    const server = await serveRoutes([await gitRoute()]);
    try {
      const repo = path.join(gitRoot(), `${b.appId}.git`);
      fs.rmSync(repo, { recursive: true, force: true });
      fs.mkdirSync(repo, { recursive: true });
      fs.writeFileSync(path.join(repo, "HEAD"), "not a ref\n"); // a damaged repository on the server
      const key = (await createApiKey({ userId: b.userId, description: "git" })).token;
      const res = await fetch(`${server.url}/${b.appName}.git/info/refs?service=git-receive-pack`, {
        headers: { Authorization: `Basic ${Buffer.from(`git:${key}`).toString("base64")}` },
      });
      const body = await res.text();
      expect(res.status).toBe(500);
      expect(body).toBe("The app's git repository could not be read on the platform's side; ask the platform's admin (the server log has the details).\n");
      expect(body).not.toContain(gitRoot());
      expect(body).not.toMatch(/fatal|\/tmp\//);
      // The real client, pushing: it fails, and names nothing of the server's.
      const dir = await fixtureRepo("node-zero");
      try {
        const pushed = await push(dir, remoteUrl(server.url, b.appName, key));
        expect(pushed.code).not.toBe(0);
        expect(pushed.output).not.toContain(gitRoot());
        expect(pushed.output).not.toContain("does not appear to be a git repository");
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      await server.close();
      fs.rmSync(path.join(gitRoot(), `${b.appId}.git`), { recursive: true, force: true });
    }
    expect(await db.build.count({ where: { appId: b.appId, status: "building" } })).toBe(0);
  });
});
