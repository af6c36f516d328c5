// The audit trail's writers: every change the services make is one row with who, from
// where and what, and never a secret. Changes run inside withOrigin, as each door does.
import { Readable } from "node:stream";
import tar from "tar-stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { withOrigin, type Origin } from "@/server/audit/origin";
import { db } from "@/server/db";
import { startRuntime } from "@/server/runtime";
import type { Reconciler } from "@/server/runtime/reconciler";
import { createApiKey, revokeApiKey } from "@/server/services/api-keys";
import { createApp, destroyApp, renameApp, setAppMaintenance } from "@/server/services/apps";
import { createBuild, getBuild } from "@/server/services/builds";
import { setConfigVars } from "@/server/services/config-vars";
import { releaseImage, rollbackRelease } from "@/server/services/deploys";
import { addDomain, removeDomain } from "@/server/services/domains";
import { commandName, restartDynos, stopDyno, updateFormation } from "@/server/services/formation";
import { addDrain, removeDrain } from "@/server/services/log-drains";
import { createTeam } from "@/server/services/teams";
import { createUser } from "@/server/services/users";
import { cleanupInstallation, testRuntimeOptions, waitFor } from "@/server/testing/runtime";

const unique = () => Math.random().toString(36).slice(2, 8);
const SECRET = `s3cr3t-${unique()}-value`;
const DRAIN_PASSWORD = `dr4in-${unique()}-pass`;

const opts = testRuntimeOptions();
let runtime: Reconciler | undefined;
let user: { id: string; email: string };
let cli: Origin;

beforeAll(async () => {
  user = await createUser({ email: `audit-${unique()}@example.com`, password: "password1" });
  cli = { userId: user.id, via: "cli", ip: "203.0.113.7" };
});

afterAll(async () => {
  if (runtime) {
    await runtime.close();
    await cleanupInstallation(opts.installation);
  }
});

const eventsOf = (appId: string) => db.activityEvent.findMany({ where: { appId }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] });

function expectNoSecrets(rows: { message: string; data: unknown }[]) {
  for (const row of rows) {
    const text = `${row.message} ${JSON.stringify(row.data ?? null)}`;
    expect(text).not.toContain(SECRET);
    expect(text).not.toContain(DRAIN_PASSWORD);
  }
}

async function tarball(files: Record<string, string>) {
  const pack = tar.pack();
  for (const [name, body] of Object.entries(files)) pack.entry({ name }, body);
  pack.finalize();
  const chunks: Buffer[] = [];
  for await (const c of pack) chunks.push(c as Buffer);
  return Readable.from([Buffer.concat(chunks)]);
}

describe("recording", () => {
  it("records each change to an app with who, via and address, and never a config value or a drain password", async () => {
    const app = await withOrigin({ userId: user.id, via: "dashboard", ip: "198.51.100.1" }, () => createApp({ userId: user.id, name: `audit-${unique()}` }));
    await withOrigin(cli, async () => {
      await setConfigVars({ appId: app.id, userId: user.id, changes: { API_TOKEN: SECRET, PLAIN: "1" } });
      await setConfigVars({ appId: app.id, userId: user.id, changes: { PLAIN: null } });
      await releaseImage({ appId: app.id, userId: user.id, imageTag: "slipway/stack:bookworm", processTypes: { web: "sleep 1000" }, description: "Deploy slipway/stack:bookworm" });
      await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 0 }] });
      await updateFormation({ appId: app.id, updates: [{ type: "web", size: "standard-2x" }] });
      await updateFormation({ appId: app.id, updates: [{ type: "web", size: "standard-2x" }] }); // no change, no event
      await setConfigVars({ appId: app.id, userId: user.id, changes: { LATER: SECRET } });
      await rollbackRelease({ appId: app.id, userId: user.id, version: 4 });
      await addDomain({ appId: app.id, hostname: `www.${app.name}.example.com` });
      await removeDomain({ appId: app.id, hostname: `WWW.${app.name}.example.com` });
      const drain = await addDrain({ appId: app.id, url: `https://logger:${DRAIN_PASSWORD}@logs.example.com:8443/in` });
      await removeDrain({ appId: app.id, drain: drain.id });
      await addDrain({ appId: app.id, url: `https://user:${DRAIN_PASSWORD}@hooks.example.com/logs` });
      await removeDrain({ appId: app.id, drain: `https://user:${DRAIN_PASSWORD}@hooks.example.com/logs` });
      await setAppMaintenance({ appId: app.id, userId: user.id, maintenance: true });
      await setAppMaintenance({ appId: app.id, userId: user.id, maintenance: false });
      await renameApp({ appId: app.id, userId: user.id, newName: `${app.name}-2` });
    });

    const rows = await eventsOf(app.id);
    // Events of the same millisecond have no order of their own: compare as a multiset.
    expect(rows.map((r) => r.kind).sort()).toEqual([
      "app.created",
      "config.set",
      "config.unset",
      "deploy.released",
      "formation.scale",
      "formation.resize",
      "config.set",
      "deploy.rollback",
      "domains.added",
      "domains.removed",
      "drains.added",
      "drains.removed",
      "drains.added",
      "drains.removed",
      "app.maintenance",
      "app.maintenance",
      "app.renamed",
    ].sort());
    const byKind = (kind: string) => rows.filter((r) => r.kind === kind);
    expect(byKind("app.created")[0]).toMatchObject({ via: "dashboard", ip: "198.51.100.1", userId: user.id, actorEmail: user.email, appName: app.name });
    for (const row of rows.filter((r) => r.kind !== "app.created")) expect(row).toMatchObject({ via: "cli", ip: "203.0.113.7", userId: user.id, actorEmail: user.email });
    expect(byKind("app.renamed")[0]!.appName).toBe(`${app.name}-2`);
    expect(byKind("config.set")[0]).toMatchObject({ message: "Set API_TOKEN, PLAIN config vars (v2)", data: { keys: ["API_TOKEN", "PLAIN"], release: 2 } });
    expect(byKind("config.unset")[0]!.message).toBe("Unset PLAIN config vars (v3)");
    expect(byKind("deploy.released")[0]!.message).toBe("Deploy slipway/stack:bookworm: released v4");
    expect(byKind("formation.scale")[0]!.message).toBe("Scaled web from 1 to 0");
    expect(byKind("formation.resize")[0]!.message).toMatch(/^Resized web from \S+ to standard-2x$/);
    expect(byKind("deploy.rollback")[0]).toMatchObject({ message: "Rolled back to v4: released v6", data: { release: 6, rollbackOf: 4 } });
    expect(byKind("domains.removed")[0]!.message).toBe(`Removed domain www.${app.name}.example.com`);
    expect(byKind("drains.added").map((r) => r.message)).toEqual([
      "Added log drain https://logger:****@logs.example.com:8443/in",
      "Added log drain https://user:****@hooks.example.com/logs",
    ]);
    expect(byKind("app.maintenance").map((r) => r.message)).toEqual(["Maintenance mode enabled", "Maintenance mode disabled"]);
    expect(byKind("app.renamed")[0]!.data).toEqual({ from: app.name, to: `${app.name}-2` });
    expectNoSecrets(rows);
  });

  it("keeps a destroyed app's events readable, with its name and team", async () => {
    const team = await createTeam({ userId: user.id, name: `audit-team-${unique()}` });
    const app = await withOrigin(cli, () => createApp({ userId: user.id, name: `doomed-${unique()}`, teamName: team.name }));
    await withOrigin(cli, () => destroyApp({ appId: app.id, appName: app.name, confirm: app.name }));
    const rows = await db.activityEvent.findMany({ where: { teamId: team.id }, orderBy: { kind: "asc" } });
    expect(rows.map((r) => [r.kind, r.appName, r.appId, r.via])).toEqual([
      ["app.created", app.name, null, "cli"],
      ["app.destroyed", app.name, null, "cli"],
      ["team.created", null, null, "system"],
    ]);
    expect(rows[0]!.message).toBe(`Created app ${app.name} in team ${team.name}`);
  });

  it("records a git push's build with via git, also when the build runs after the request", async () => {
    const app = await createApp({ userId: user.id, name: `pushed-${unique()}` });
    const git: Origin = { userId: user.id, via: "git", ip: "192.0.2.4" };
    // Nothing a buildpack recognises: the build fails at detection, before any Engine work.
    const { build, log } = await withOrigin(git, async () =>
      createBuild({ appId: app.id, userId: user.id, sourceKind: "git", sourceVersion: "0123456789abcdef0123456789abcdef01234567", source: await tarball({ "README.txt": SECRET }) }),
    );
    await waitFor("the build to fail", async () => (await getBuild({ appId: app.id, buildId: build.id })).status === "failed");
    await log.flush();
    const rows = await waitFor("its end in the audit trail", async () => {
      const r = (await eventsOf(app.id)).filter((e) => e.kind.startsWith("deploy.")).sort((a, b) => b.kind.localeCompare(a.kind));
      return r.length === 2 && r;
    });
    expect(rows.map((r) => [r.kind, r.message, r.via, r.ip, r.userId])).toEqual([
      ["deploy.build_started", "Build started from git push 0123456", "git", "192.0.2.4", user.id],
      ["deploy.build_failed", "Build 0123456 failed", "git", "192.0.2.4", user.id],
    ]);
    expect(rows[0]!.data).toMatchObject({ buildId: build.id, source: "git" });
    expectNoSecrets(rows);
  });

  it("gives a build queued behind another the origin of its own upload", async () => {
    const app = await createApp({ userId: user.id, name: `queued-${unique()}` });
    const other = await createUser({ email: `uploader-${unique()}@example.com`, password: "password1" });
    const push = (origin: Origin, version: string) =>
      withOrigin(origin, async () => createBuild({ appId: app.id, userId: origin.userId, sourceKind: "tarball", sourceVersion: version, source: await tarball({ "x.txt": "x" }) }));
    // One build per app at a time: the second waits for the first and starts from its end.
    const [first, second] = await Promise.all([
      push({ userId: user.id, via: "git", ip: "192.0.2.1" }, "a".repeat(40)),
      push({ userId: other.id, via: "api", ip: "192.0.2.2" }, "b".repeat(40)),
    ]);
    const ended = await waitFor("both builds to end in the audit trail", async () => {
      const r = (await eventsOf(app.id)).filter((e) => e.kind === "deploy.build_failed");
      return r.length === 2 && r;
    });
    const endOf = (buildId: string) => ended.find((e) => (e.data as { buildId: string }).buildId === buildId)!;
    expect(endOf(first.build.id)).toMatchObject({ via: "git", ip: "192.0.2.1", userId: user.id });
    expect(endOf(second.build.id)).toMatchObject({ via: "api", ip: "192.0.2.2", userId: other.id, actorEmail: other.email });
  });

  it("records API keys created and revoked, without the key", async () => {
    const key = await withOrigin({ userId: user.id, via: "dashboard", ip: null }, () => createApiKey({ userId: user.id, description: "deploy bot" }));
    await withOrigin(cli, () => revokeApiKey({ userId: user.id, keyId: key.id }));
    const rows = await db.activityEvent.findMany({ where: { userId: user.id, kind: { startsWith: "api_key." } }, orderBy: { kind: "asc" } });
    expect(rows.map((r) => [r.kind, r.message, r.via])).toEqual([
      ["api_key.created", `Created API key ${key.prefix}… (deploy bot)`, "dashboard"],
      ["api_key.revoked", `Revoked API key ${key.prefix}… (deploy bot)`, "cli"],
    ]);
    for (const row of rows) expect(`${row.message} ${JSON.stringify(row.data)}`).not.toContain(key.token);
  });

  // Last: once a dyno manager runs it stays for the file. Every formation here is at 0.
  it("records restarts (even with no dyno running) and not a refused stop", async () => {
    const app = await createApp({ userId: user.id, name: `restart-${unique()}` });
    runtime = await startRuntime(opts);
    await withOrigin(cli, async () => {
      await restartDynos({ appId: app.id });
      await expect(stopDyno({ appId: app.id, dyno: "web.9" })).rejects.toThrow(/web\.9/);
    });
    const rows = (await eventsOf(app.id)).filter((r) => r.kind.startsWith("dynos."));
    expect(rows.map((r) => [r.kind, r.message, r.via, r.userId, r.data])).toEqual([
      ["dynos.restart", "Restarted all dynos", "cli", user.id, { type: null, dyno: null, restarted: 0 }],
    ]);
  });

  it("names only the program of a one-off command, never its arguments or assignments", () => {
    expect(commandName(`psql postgres://u:${SECRET}@db/x`)).toBe("psql");
    expect(commandName(`  TOKEN=${SECRET} FOO=1 rake db:migrate`)).toBe("rake");
    expect(commandName("   ")).toBe("(empty)");
  });
});
