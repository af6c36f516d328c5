// The installation's nodes on the engine driver, against the real Docker Engine: one node
// (the Engine's own machine) counting the installation's running dynos, each dyno of the
// Resources list saying it runs there, drain refused with the reason, and the doors open to
// installation admins only.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { getRuntime, startRuntime } from "@/server/runtime";
import { docker } from "@/server/runtime/docker";
import { createApp } from "@/server/services/apps";
import { releaseImage } from "@/server/services/deploys";
import { updateFormation } from "@/server/services/formation";
import { callerFor, errorOf, newUser } from "@/server/testing/callers";
import { cleanupInstallation, ensureFixtureImage, testRuntimeOptions, waitFor } from "@/server/testing/runtime";

const opts = testRuntimeOptions({ bootTimeoutMs: 15_000 });
let adminId: string;
let userId: string;
let engineName: string;
let appName: string;

beforeAll(async () => {
  const image = await ensureFixtureImage();
  engineName = ((await docker().info()) as { Name: string }).Name;
  adminId = (await newUser("nodes-admin")).id;
  await db.user.update({ where: { id: adminId }, data: { isAdmin: true } });
  userId = (await newUser("nodes-user")).id;
  await startRuntime(opts);
  const app = await createApp({ userId, name: `nodes-${Math.random().toString(36).slice(2, 8)}` });
  await releaseImage({ appId: app.id, userId, imageTag: image, processTypes: { web: "node server.js" }, description: "Deploy" });
  await updateFormation({ appId: app.id, updates: [{ type: "web", quantity: 2 }] });
  await getRuntime()!.reconcile(app.id);
  appName = app.name;
}, 120_000);

afterAll(async () => {
  await getRuntime()?.close();
  await cleanupInstallation(opts.installation);
});

describe("nodes on the engine driver", { timeout: 60_000 }, () => {
  it("lists one node, this Engine's machine, with the installation's running dynos", async () => {
    const admin = callerFor(adminId);
    const listed = await waitFor("two running dynos counted", async () => {
      const r = await admin.installation.nodes();
      return r.nodes[0]?.dynos === 2 && r;
    });
    expect(listed.runtime).toBe("engine");
    expect(listed.nodes).toHaveLength(1);
    expect(listed.nodes[0]).toMatchObject({ id: "local", name: engineName, state: "ready", availability: "active", role: "manager" });
    expect(listed.nodes[0]!.memoryBytes).toBeGreaterThan(0);
  });

  it("says on which node each dyno runs", async () => {
    const dynos = await waitFor("web.1 and web.2 with a container", async () => {
      const list = await callerFor(userId).dynos.list({ app: appName });
      return list.length === 2 && list.every((d) => d.node) && list;
    });
    expect(dynos.map((d) => [d.name, d.node])).toEqual([
      ["web.1", engineName],
      ["web.2", engineName],
    ]);
  });

  it("refuses to drain the only machine, saying why", async () => {
    const err = await errorOf(callerFor(adminId).installation.setNodeAvailability({ node: "local", availability: "drain" }));
    expect(err.code).toBe("UNPROCESSABLE_CONTENT");
    expect(err.message).toMatch(/no other node to move its dynos to/);
    expect((await errorOf(callerFor(adminId).installation.setNodeAvailability({ node: "elsewhere", availability: "drain" }))).code).toBe("NOT_FOUND");
  });

  it("is for installation admins only", async () => {
    const err = await errorOf(callerFor(userId).installation.nodes());
    expect(err.code).toBe("FORBIDDEN");
    expect(err.message).toBe("Only the installation's admins can see the installation's nodes.");
    expect((await errorOf(callerFor(userId).installation.setNodeAvailability({ node: "local", availability: "active" }))).code).toBe("FORBIDDEN");
  });
});
