// A one-off dyno started by a team member (real Engine, the dashboard's run route over
// HTTP) is killed, and its stream ended with a message, when the member is removed.
import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/server/db";
import { startRuntime, stopRuntime } from "@/server/runtime";
import { runtimeDriver } from "@/server/runtime/driver";
import { accessChanged } from "@/server/runtime/events";
import { releaseImage } from "@/server/services/deploys";
import { createUser } from "@/server/services/users";
import { appStreamRoutes, serveRoutes } from "@/server/testing/route-server";
import { cleanupInstallation, ensureFixtureImage, testRuntimeOptions, waitFor } from "@/server/testing/runtime";
import { sessionCookie } from "@/server/testing/session-cookie";

const unique = () => Math.random().toString(36).slice(2, 8);
const opts = testRuntimeOptions();
let server: Awaited<ReturnType<typeof serveRoutes>>;
let image: string;

beforeAll(async () => {
  image = await ensureFixtureImage();
  await startRuntime(opts);
  server = await serveRoutes(await appStreamRoutes());
});

afterAll(async () => {
  await server?.close();
  await stopRuntime();
  await cleanupInstallation(opts.installation);
});

describe("one-off dynos", () => {
  it("are killed when the member who started them is removed", async () => {
    const admin = await createUser({ email: `oo-admin-${unique()}@example.com`, password: "password1" });
    const member = await createUser({ email: `oo-member-${unique()}@example.com`, password: "password1" });
    const team = await db.team.create({ data: { name: `oneoff-${unique()}`, members: { create: [{ userId: admin.id, role: "admin" }, { userId: member.id, role: "member" }] } } });
    const app = await db.app.create({ data: { name: `oneoff-${unique()}`, teamId: team.id } });
    await releaseImage({ appId: app.id, userId: admin.id, imageTag: image, processTypes: { web: "node server.js" }, description: "Deploy" });

    const cookie = await sessionCookie(member.id);
    const events: { type: string; message?: string; dyno?: string }[] = [];
    const body = JSON.stringify({ command: "sleep 600" });
    const ended = new Promise<void>((resolve, reject) => {
      const req = http.request(`${server.url}/api/apps/${app.name}/run`, {
        method: "POST",
        headers: { Cookie: cookie, Origin: server.url, "Content-Type": "application/json", "Content-Length": String(body.length) },
      }, (res) => {
        let buffer = "";
        res.setEncoding("utf8").on("data", (chunk: string) => {
          buffer += chunk;
          const lines = buffer.split("\n");
          buffer = lines.pop() ?? "";
          for (const line of lines) if (line.trim()) events.push(JSON.parse(line));
        });
        res.on("end", () => resolve());
      });
      req.on("error", reject);
      req.end(body);
    });
    await waitFor("the one-off dyno to start", async () => events.some((e) => e.type === "start"), 60_000);
    await waitFor("the one-off container running", async () => (await runtimeDriver().listDynos(opts.installation, app.id)).some((c) => c.oneOff && c.status === "running"), 30_000);

    await db.teamMember.deleteMany({ where: { teamId: team.id, userId: member.id } });
    accessChanged({ userId: member.id, teamId: team.id });
    await ended;
    expect(events.at(-1)).toEqual({ type: "error", message: `Your access to ${app.name} ended; the dyno was stopped.` });
    await waitFor("the one-off container gone", async () => !(await runtimeDriver().listDynos(opts.installation, app.id)).some((c) => c.oneOff), 30_000);
  });
});
