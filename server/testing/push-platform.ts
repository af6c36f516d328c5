// The set-up that `git push` suites share: a runtime for a test installation, the git
// route on a local server, a user with an API key for git, and cleanup of every app, build
// artifact and fixture checkout the suite made. Call it at the top of a test file; it
// registers its own beforeAll/afterAll.
import fs from "node:fs";
import { afterAll, beforeAll } from "vitest";
import { removeBuildArtifacts } from "@/server/build/cleanup";
import { startRuntime, stopRuntime } from "@/server/runtime";
import { createApiKey } from "@/server/services/api-keys";
import { createApp } from "@/server/services/apps";
import { createUser } from "@/server/services/users";
import { fixtureRepo, remoteUrl } from "@/server/testing/git-push";
import { gitRoute, serveRoutes } from "@/server/testing/route-server";
import { cleanupInstallation, testRuntimeOptions } from "@/server/testing/runtime";

export function pushPlatform(emailPrefix: string) {
  const opts = testRuntimeOptions();
  const appIds: string[] = [];
  const dirs: string[] = [];
  let server: Awaited<ReturnType<typeof serveRoutes>> | undefined;
  const state = { userId: "", key: "" };

  beforeAll(async () => {
    await startRuntime(opts);
    server = await serveRoutes([await gitRoute()]);
    const user = await createUser({ email: `${emailPrefix}-${Date.now()}@example.com`, password: "password1" });
    state.userId = user.id;
    state.key = (await createApiKey({ userId: user.id, description: "git" })).token;
  });

  afterAll(async () => {
    await server?.close();
    await stopRuntime();
    await cleanupInstallation(opts.installation);
    for (const id of appIds) await removeBuildArtifacts(id);
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  return {
    opts,
    appIds,
    dirs,
    get userId() {
      return state.userId;
    },
    get key() {
      return state.key;
    },
    /** The git server's base URL (after beforeAll). */
    get url() {
      return server!.url;
    },
    /** The app's git remote, with the suite's API key. */
    remote: (appName: string) => remoteUrl(server!.url, appName, state.key),
    /** An app of the suite's user, removed with its build artifacts afterwards. */
    async newApp(prefix: string) {
      const app = await createApp({ userId: state.userId, name: `${prefix}-${Date.now().toString(36)}` });
      appIds.push(app.id);
      return app;
    },
    /** A checkout of a fixture (optionally edited before its commit), removed afterwards. */
    async repo(fixture: string, edit?: (dir: string) => void) {
      const dir = await fixtureRepo(fixture, edit);
      dirs.push(dir);
      return dir;
    },
  };
}
