// git smart HTTP (`/<app>.git/…`, rewritten here by next.config.js). Like Heroku: HTTP
// Basic with any user name and an API key as the password; pushing needs deploy access.
// Errors are text/plain: git shows the body to the user as `remote:` lines.
import { AppError } from "@/server/errors";
import { advertiseRefs, ensureRepo, receivePack, uploadPack } from "@/server/build/git";
import { withApp } from "@/server/http/with-app";

export const dynamic = "force-dynamic";
export const maxDuration = 3600;

type Params = { app: string; path: string[] };
const git = { auth: "basic-key", errors: "text" } as const;

export const GET = withApp<Params>(
  "code:deploy",
  async ({ req, app, params }) => {
    if (params.path.join("/") !== "info/refs") throw new AppError("NOT_FOUND", "Not found.");
    return advertiseRefs(await ensureRepo(app.id), new URL(req.url).searchParams.get("service") ?? "");
  },
  git,
);

export const POST = withApp<Params>(
  "code:deploy",
  async ({ req, app, userId, params }) => {
    const service = params.path.join("/");
    if (service !== "git-receive-pack" && service !== "git-upload-pack") throw new AppError("NOT_FOUND", "Not found.");
    const repo = await ensureRepo(app.id);
    if (service === "git-upload-pack") return uploadPack(repo, req);
    return receivePack({ repo, req, appId: app.id, appName: app.name, userId });
  },
  git,
);
