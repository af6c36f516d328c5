// A dyno manager in its own process, so a test can kill -9 it mid-work and start another.
//   node --conditions=react-server --import tsx server/testing/reconciler-child.ts setup DIR
//   node --conditions=react-server --import tsx server/testing/reconciler-child.ts run DIR INSTALLATION APP_ID [TYPE=QTY]
//   … oneoff DIR INSTALLATION APP_ID   (run, plus a one-off `sleep 600` as `heroku run` starts it)
//   … rows DIR APP_ID                  (prints the app's Dyno rows as JSON)
// (react-server makes `server-only` an empty module, as inside Next.js.)
import { openChildDb } from "@/server/testing/child-db";

const [command, dir, installation, appId, scale] = process.argv.slice(2);
const { db, close } = await openChildDb(dir!);

if (command === "setup") {
  const { createUser } = await import("@/server/services/users");
  const { createApp } = await import("@/server/services/apps");
  const { releaseImage } = await import("@/server/services/deploys");
  const user = await createUser({ email: `child-${Date.now()}@example.com`, password: "password1" });
  const app = await createApp({ userId: user.id });
  await releaseImage({ appId: app.id, userId: user.id, imageTag: process.env.FIXTURE_IMAGE!, processTypes: { web: "node server.js" }, description: "Deploy" });
  console.log(JSON.stringify({ appId: app.id }));
  await close();
  process.exit(0);
}

if (command === "rows") {
  const rowsOf = process.argv[4]!; // rows DIR APP_ID
  console.log(JSON.stringify(await db.dyno.findMany({ where: { appId: rowsOf }, select: { name: true, type: true, containerId: true } })));
  await close();
  process.exit(0);
}

const { updateFormation } = await import("@/server/services/formation");
const { Reconciler } = await import("@/server/runtime/reconciler");
if (scale) {
  const [type, quantity] = scale.split("=");
  await updateFormation({ appId: appId!, updates: [{ type: type!, quantity: Number(quantity) }] });
}
const runtime = new Reconciler({
  installation: installation!,
  bootTimeoutMs: 15_000,
  stopTimeoutSeconds: 3,
  crashBackoffBaseMs: 1_000,
  crashBackoffMaxMs: 5_000,
  sweepIntervalMs: 500,
  port: 5000,
});
await runtime.start();
console.log("started");
if (command === "oneoff") {
  const { runOneOff } = await import("@/server/runtime/one-off");
  void runOneOff({
    installation: installation!,
    appId: appId!,
    command: "sleep 600",
    port: 5000,
    stopTimeoutSeconds: 3,
    onOutput: () => {},
    onStart: (dyno) => console.log(`one-off ${dyno}`),
  });
}
process.on("SIGTERM", async () => {
  await runtime.close();
  await close();
  process.exit(0);
});
