// git smart HTTP (`/<app>.git/…`, rewritten here by next.config.js). Like Heroku: HTTP
// Basic with any user name and an API key as the password; pushing needs deploy access.
import { toAppError, ERROR_TABLE } from "@/server/errors";
import { advertiseRefs, ensureRepo, receivePack, uploadPack } from "@/server/build/git";
import { authenticateApiKey } from "@/server/services/api-keys";
import { findAppForUser } from "@/server/services/access";

export const dynamic = "force-dynamic";
export const maxDuration = 3600;

type Ctx = { params: Promise<{ app: string; path: string[] }> };

// git shows a text/plain error body to the user as `remote: …` lines.
function text(status: number, message: string, headers: Record<string, string> = {}) {
  return new Response(`${message}\n`, { status, headers: { "Content-Type": "text/plain; charset=utf-8", ...headers } });
}

async function authorize(req: Request, appName: string) {
  const header = req.headers.get("authorization") ?? "";
  const basic = /^Basic\s+(.+)$/i.exec(header);
  const password = basic ? Buffer.from(basic[1], "base64").toString("utf8").split(":").slice(1).join(":") : "";
  const key = password ? await authenticateApiKey(password) : null;
  if (!key) {
    return {
      error: text(401, basic ? "Invalid credentials: use an API key (Account → API keys) as the password." : "Authentication required: use an API key as the password.", {
        "WWW-Authenticate": 'Basic realm="Slipway"',
      }),
    };
  }
  try {
    const app = await findAppForUser({ userId: key.userId, app: appName, operation: "code:deploy" });
    return { userId: key.userId, app };
  } catch (err) {
    const e = toAppError(err);
    const message = e.code === "NOT_FOUND" ? `Couldn't find app ${appName}, or you don't have access to it.` : e.message;
    return { error: text(ERROR_TABLE[e.code].http, message) };
  }
}

export async function GET(req: Request, { params }: Ctx) {
  const { app: appName, path } = await params;
  if (path.join("/") !== "info/refs") return text(404, "Not found.");
  const auth = await authorize(req, appName);
  if ("error" in auth) return auth.error;
  try {
    return await advertiseRefs(await ensureRepo(auth.app.id), new URL(req.url).searchParams.get("service") ?? "");
  } catch (err) {
    const e = toAppError(err);
    return text(ERROR_TABLE[e.code].http, e.message);
  }
}

export async function POST(req: Request, { params }: Ctx) {
  const { app: appName, path } = await params;
  const service = path.join("/");
  if (service !== "git-receive-pack" && service !== "git-upload-pack") return text(404, "Not found.");
  const auth = await authorize(req, appName);
  if ("error" in auth) return auth.error;
  try {
    const repo = await ensureRepo(auth.app.id);
    if (service === "git-upload-pack") return uploadPack(repo, req);
    return await receivePack({ repo, req, appId: auth.app.id, appName: auth.app.name, userId: auth.userId });
  } catch (err) {
    const e = toAppError(err);
    return text(ERROR_TABLE[e.code].http, e.message);
  }
}
