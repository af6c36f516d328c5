// The add-on services in their own process, so a test can kill -9 one mid-provisioning
// and start another on the same database (an embedded PGlite in DIR).
//   node --conditions=react-server --import tsx server/testing/addon-child.ts setup DIR
//   node --conditions=react-server --import tsx server/testing/addon-child.ts add DIR APP_ID USER_ID SERVICE
//   node --conditions=react-server --import tsx server/testing/addon-child.ts resume DIR APP_ID
// SLIPWAY_INSTALLATION_ID names the installation; SLIPWAY_SECRET_KEY must be the same for all.
import { openChildDb } from "@/server/testing/child-db";

const [command, dir, appId, userId, service] = process.argv.slice(2);
const { db, close } = await openChildDb(dir!);

if (command === "setup") {
  const { createUser } = await import("@/server/services/users");
  const { createApp } = await import("@/server/services/apps");
  const { installationId } = await import("@/server/services/settings");
  await installationId();
  const user = await createUser({ email: `child-${Date.now()}@example.com`, password: "password1" });
  const app = await createApp({ userId: user.id });
  console.log(JSON.stringify({ appId: app.id, userId: user.id }));
} else if (command === "add") {
  const { createAddon } = await import("@/server/services/addons");
  const { provisionInBackground } = await import("@/server/services/addon-provisioning");
  const addon = await createAddon({ appId: appId!, userId: userId!, service: service! });
  console.log(JSON.stringify({ addonId: addon.id }));
  await provisionInBackground(addon.id);
} else if (command === "resume") {
  const { resumeAddons } = await import("@/server/services/addon-provisioning");
  const { getConfigVars } = await import("@/server/services/config-vars");
  await resumeAddons();
  for (let i = 0; i < 600 && (await db.addon.count({ where: { state: { in: ["provisioning", "deprovisioning"] } } })) > 0; i++) {
    await new Promise((r) => setTimeout(r, 200));
  }
  const addons = await db.addon.findMany({ select: { id: true, name: true, state: true, error: true } });
  console.log(JSON.stringify({ addons, configKeys: Object.keys(await getConfigVars(appId!)) }));
} else {
  console.error("usage: addon-child.ts setup|add|resume DIR …");
  process.exit(2);
}
await close();
process.exit(0);
