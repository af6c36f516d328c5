// Real `git push` of a fixture app (server/build/fixtures/<name>) and a way to ask a
// dyno for its answer, for the build tests and bench/deploy.
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { runtimeDriver } from "@/server/runtime/driver";

export const FIXTURES = path.join(process.cwd(), "server/build/fixtures");

export function git(cwd: string, args: string[], env: Record<string, string> = {}, onData?: (text: string) => void): Promise<{ code: number; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", args, {
      cwd,
      env: {
        ...process.env,
        GIT_TERMINAL_PROMPT: "0",
        GIT_CONFIG_NOSYSTEM: "1",
        HOME: cwd,
        GIT_AUTHOR_NAME: "Test",
        GIT_AUTHOR_EMAIL: "test@example.com",
        GIT_COMMITTER_NAME: "Test",
        GIT_COMMITTER_EMAIL: "test@example.com",
        ...env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    const take = (d: Buffer) => {
      output += d;
      onData?.(d.toString());
    };
    child.stdout.on("data", take);
    child.stderr.on("data", take);
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, output }));
  });
}

/** A fresh git work tree with the fixture's files committed on `main`. */
export async function fixtureRepo(fixture: string, edit?: (dir: string) => void): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `slipway-push-${fixture}-`));
  fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  edit?.(dir);
  await gitOk(dir, ["init", "-q", "-b", "main"]);
  await commitAll(dir, `${fixture} fixture`);
  return dir;
}

export async function commitAll(dir: string, message: string) {
  await gitOk(dir, ["add", "-A"]);
  await gitOk(dir, ["commit", "-q", "--allow-empty", "-m", message]);
}

async function gitOk(dir: string, args: string[]) {
  const r = await git(dir, args);
  if (r.code !== 0) throw new Error(`git ${args.join(" ")} failed: ${r.output}`);
  return r.output;
}

export function remoteUrl(baseUrl: string, app: string, apiKey: string) {
  const u = new URL(`${baseUrl}/${app}.git`);
  u.username = "git";
  u.password = apiKey;
  return u.toString();
}

/** `onData`: the push's output as it comes (the build's lines, `remote: …`). */
export function push(dir: string, url: string, refspec = "main", extra: string[] = [], onData?: (text: string) => void) {
  return git(dir, ["push", ...extra, url, refspec], {}, onData);
}

/** What the app's newest running `dyno` answers on GET / (null when it does not). */
export async function dynoAnswer(installation: string, appId: string, dyno = "web.1", release?: number): Promise<string | null> {
  const containers = (await runtimeDriver().listDynos(installation, appId)).filter(
    (c) => c.dyno === dyno && c.status === "running" && (release === undefined || c.release === release),
  );
  const newest = containers.sort((a, b) => b.release - a.release)[0];
  if (!newest) return null;
  const address = await runtimeDriver().dynoAddress(newest.id, 5000);
  if (!address) return null;
  try {
    const res = await fetch(`http://${address.host}:${address.port}/`, { signal: AbortSignal.timeout(2_000) });
    return res.ok ? await res.text() : null;
  } catch {
    return null;
  }
}
