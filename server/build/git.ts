import "server-only";
// `git push` over smart HTTP, the way Heroku takes it: git's own receive-pack does the
// protocol; a pre-receive hook hands the pushed commit to the platform over a Unix socket,
// and the build's output flows back through the hook into git's sideband, so the pusher
// sees `remote: -----> …` live. A failed build fails the hook, so the push is rejected and
// the branch does not move.
import { spawn } from "node:child_process";
import crypto from "node:crypto";
import fs from "node:fs";
import net from "node:net";
import path from "node:path";
import { PassThrough, Readable } from "node:stream";
import zlib from "node:zlib";
import { dataDir, env } from "@/server/env";
import { AppError, toAppError } from "@/server/errors";
import { followBuild } from "@/server/build/output";
import { size } from "@/server/build/source";
import { createBuild } from "@/server/services/builds";
import { deleteBranchReviewApp, pushReviewApp, reviewAppsFor } from "@/server/services/pipelines/review-apps";

const SERVICES = new Set(["git-receive-pack", "git-upload-pack"]);
const DEPLOY_REFS = new Set(["refs/heads/main", "refs/heads/master"]);
const ZERO = /^0{40}$/;

export function gitRoot() {
  return path.join(dataDir(), "git");
}

/** The app's bare repository (by id, so a rename keeps it), created on first use. */
export async function ensureRepo(appId: string): Promise<string> {
  const repo = path.join(gitRoot(), `${appId}.git`);
  if (!fs.existsSync(path.join(repo, "HEAD"))) {
    await fs.promises.mkdir(repo, { recursive: true });
    await run("git", ["init", "--bare", "--quiet", "--initial-branch=main", repo]);
  }
  return repo;
}

/** `GET info/refs?service=…`: the ref advertisement. */
export async function advertiseRefs(repo: string, service: string): Promise<Response> {
  if (!SERVICES.has(service)) throw new AppError("FORBIDDEN", "Slipway speaks git's smart HTTP protocol only; upgrade git.");
  const out = await run("git", [service.slice(4), "--stateless-rpc", "--advertise-refs", repo]);
  const head = pktLine(`# service=${service}\n`) + "0000";
  return new Response(Buffer.concat([Buffer.from(head), out]), {
    headers: { "Content-Type": `application/x-${service}-advertisement`, "Cache-Control": "no-cache" },
  });
}

/** `POST git-upload-pack` (clone/fetch): git does it all. */
export function uploadPack(repo: string, req: Request): Response {
  return rpc(repo, "git-upload-pack", req, {});
}

/** `POST git-receive-pack`: git receives; our pre-receive hook builds and deploys. */
export async function receivePack(input: { repo: string; req: Request; appId: string; appName: string; userId: string }): Promise<Response> {
  const socketPath = path.join(gitRoot(), "run", `${crypto.randomBytes(8).toString("hex")}.sock`);
  await fs.promises.mkdir(path.dirname(socketPath), { recursive: true, mode: 0o700 });
  const server = net.createServer((sock) => void handleHook(sock, input));
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(socketPath, resolve));
  const hooks = await ensureHooks();
  const res = rpc(input.repo, "git-receive-pack", input.req, { SLIPWAY_HOOK_SOCKET: socketPath }, ["-c", `core.hooksPath=${hooks}`], () => {
    server.close();
    fs.promises.rm(socketPath, { force: true }).catch(() => {});
  });
  return res;
}

type HookRequest = { refs: { oldRev: string; newRev: string; ref: string }[]; env: Record<string, string> };

async function handleHook(sock: net.Socket, input: { repo: string; appId: string; appName: string; userId: string }) {
  const send = (msg: { out?: string; exit?: number }) => {
    // Frames the hook reads (ensureHooks): a type byte, a 32-bit length, the bytes.
    const frame = (type: "o" | "x", text: string) => {
      const body = Buffer.from(text);
      const head = Buffer.alloc(5);
      head.write(type, 0, "latin1");
      head.writeUInt32BE(body.length, 1);
      sock.write(Buffer.concat([head, body]));
    };
    if (sock.destroyed) return;
    if (msg.out) frame("o", msg.out);
    if (msg.exit !== undefined) frame("x", String(msg.exit));
  };
  const reject = (message: string) => {
    send({ out: `\n !     ${message.split("\n").join("\n !     ")}\n\n` });
    send({ exit: 1 });
    sock.end();
  };
  try {
    const request = JSON.parse(await firstLine(sock)) as HookRequest;
    const gitEnv = pick(request.env, ["GIT_OBJECT_DIRECTORY", "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_QUARANTINE_PATH"]);
    const deploy = request.refs.filter((r) => DEPLOY_REFS.has(r.ref));
    const other = request.refs.filter((r) => !DEPLOY_REFS.has(r.ref));
    if (other.length) {
      const finish = (code: number) => {
        send({ exit: code });
        sock.end();
      };
      return await handleBranches({ ...input, refs: other, deployRefs: deploy.length, gitEnv, out: (text) => send({ out: text }), finish, reject });
    }
    if (deploy.length !== 1) return reject("Push one of main or master at a time.");
    const [{ newRev, ref }] = deploy;
    if (ZERO.test(newRev)) return reject(`Deleting ${ref.replace(/^refs\/heads\//, "")} is not allowed: it is what the app deploys from.`);
    let build;
    try {
      ({ build } = await createBuild({ appId: input.appId, userId: input.userId, sourceKind: "git", sourceVersion: newRev, source: archiveOf(input.repo, newRev, gitEnv) }));
    } catch (err) {
      return reject(toAppError(err).message);
    }
    send({ out: "Building source:\n\n" });
    const abort = new AbortController();
    sock.once("close", () => abort.abort());
    for await (const ev of followBuild(build.id, 0, abort.signal)) {
      if (ev.type === "output") send({ out: ev.text });
      else {
        send({ exit: ev.status === "succeeded" ? 0 : 1 });
        break;
      }
    }
    sock.end();
  } catch (err) {
    console.error("slipway: git push hook failed", err);
    reject(toAppError(err).message);
  }
}

/**
 * Any branch but main/master: a review app when the app is the parent of a pipeline's
 * review apps (server/services/pipelines/review-apps.ts), created or updated from the
 * branch, or destroyed when the branch is deleted. Otherwise refused, as before.
 */
async function handleBranches(input: {
  repo: string;
  appId: string;
  appName: string;
  userId: string;
  refs: HookRequest["refs"];
  deployRefs: number;
  gitEnv: Record<string, string>;
  out: (text: string) => void;
  finish: (exitCode: number) => void;
  reject: (message: string) => void;
}) {
  const names = input.refs.map((r) => r.ref.replace(/^refs\/heads\//, ""));
  const branchRefs = input.refs.every((r) => r.ref.startsWith("refs/heads/"));
  const config = branchRefs ? await reviewAppsFor(input.appId) : null;
  const [{ newRev, ref }] = input.refs;
  const branch = names[0]!;
  const deleting = ZERO.test(newRev);
  if (!config && !(branchRefs && deleting && input.refs.length === 1)) {
    return input.reject(
      `Pushed to ${names.join(", ")}: Slipway deploys main or master only.\nPush with \`git push slipway ${names[0]}:main\`, or enable review apps on the app's pipeline to get an app per branch.`,
    );
  }
  if (input.refs.length !== 1 || input.deployRefs) return input.reject("Push one branch at a time: each branch is a review app of its own.");
  const { out } = input;
  try {
    if (deleting) {
      const destroyed = await deleteBranchReviewApp({ parentAppId: input.appId, userId: input.userId, branch, out });
      if (!destroyed && !config) return input.reject(`Deleting ${branch}: Slipway deploys main or master only, and ${branch} has no review app.`);
      if (!destroyed) out(`-----> ${branch} had no review app; nothing to destroy.\n`);
      return input.finish(0);
    }
    const ok = await pushReviewApp({
      parentAppId: input.appId,
      userId: input.userId,
      branch,
      commit: newRev,
      appJson: await fileAt(input.repo, newRev, "app.json", input.gitEnv),
      source: () => archiveOf(input.repo, newRev, input.gitEnv),
      out,
    });
    input.finish(ok ? 0 : 1);
  } catch (err) {
    const e = toAppError(err);
    if (e.code === "INTERNAL") console.error("slipway: review app push failed", err);
    return input.reject(e.message);
  }
}

/** The pushed tree as a tar stream; it ends only once git says the archive is whole. */
function archiveOf(repo: string, rev: string, gitEnv: Record<string, string>): PassThrough {
  // The hook's paths are relative to the repository, where git runs hooks.
  const archive = spawn("git", ["archive", "--format=tar", rev], {
    cwd: repo,
    env: { ...process.env, ...gitEnv, GIT_DIR: repo },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let archiveErr = "";
  archive.stderr.on("data", (d) => (archiveErr += d));
  const source = new PassThrough();
  archive.stdout.pipe(source, { end: false });
  archive.on("close", (code) => {
    if (code === 0) return source.end();
    // git's words name the server's paths: they go to the log, the pusher gets ours.
    console.error("slipway: git archive", rev, "exited with", code, archiveErr.trim());
    source.destroy(new AppError("INTERNAL", "Reading the pushed commit failed on the platform's side; push again, or ask the platform's admin (the server log has the details)."));
  });
  return source;
}

/** A file of the pushed commit (app.json), or null when the commit has none. */
function fileAt(repo: string, rev: string, file: string, gitEnv: Record<string, string>): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const child = spawn("git", ["cat-file", "blob", `${rev}:${file}`], { cwd: repo, env: { ...process.env, ...gitEnv, GIT_DIR: repo }, stdio: ["ignore", "pipe", "ignore"] });
    const out: Buffer[] = [];
    let size = 0;
    child.stdout.on("data", (d: Buffer) => {
      size += d.length;
      if (size <= 1024 * 1024) out.push(d);
    });
    child.on("error", reject);
    child.on("close", (code) => {
      if (code !== 0) return resolve(null);
      if (size > 1024 * 1024) return reject(new AppError("UNPROCESSABLE", "app.json is larger than 1 MiB."));
      resolve(Buffer.concat(out).toString("utf8"));
    });
  });
}

function pick(obj: Record<string, string>, keys: string[]) {
  const out: Record<string, string> = {};
  for (const k of keys) if (typeof obj?.[k] === "string") out[k] = obj[k];
  return out;
}

function firstLine(sock: net.Socket): Promise<string> {
  return new Promise((resolve, reject) => {
    let buf = "";
    const onData = (d: Buffer) => {
      buf += d.toString("utf8");
      const i = buf.indexOf("\n");
      if (i >= 0) {
        sock.off("data", onData);
        resolve(buf.slice(0, i));
      }
    };
    sock.on("data", onData);
    sock.once("error", reject);
    sock.once("end", () => reject(new Error("hook closed early")));
  });
}

/**
 * Runs a stateless-rpc service with the request body on stdin, streaming its stdout back.
 * A body over SLIPWAY_MAX_SOURCE_MB is refused with a message git prints: killing the
 * service mid-request would leave the pusher with only "the remote end hung up".
 */
function rpc(repo: string, service: string, req: Request, extraEnv: Record<string, string>, gitArgs: string[] = [], onExit?: () => void): Response {
  const max = env().SLIPWAY_MAX_SOURCE_MB * 1024 * 1024;
  const tooLarge = `The push is larger than this platform's ${size(max)} limit (SLIPWAY_MAX_SOURCE_MB); nothing was changed.`;
  const drainCeiling = max * 4 + 64 * 1024 * 1024;
  const headers = { "Content-Type": `application/x-${service}-result`, "Cache-Control": "no-cache" };
  let body = req.body ? Readable.fromWeb(req.body as import("node:stream/web").ReadableStream) : Readable.from([]);
  const declared = Number(req.headers.get("content-length") ?? 0);
  if (declared > max) {
    onExit?.();
    // git shows no body of a failed POST (only "HTTP 413"), so a body of sane size is read,
    // dropped and answered with the message; an absurd one gets the bare status at once.
    if (declared > drainCeiling) return new Response(`${tooLarge}\n`, { status: 413, headers: { "Content-Type": "text/plain; charset=utf-8" } });
    const out = new PassThrough();
    const answer = () => out.end(Buffer.from(pktLine(`\x03${tooLarge}\n`)));
    body.once("end", answer).once("error", answer).resume();
    return new Response(Readable.toWeb(out) as ReadableStream<Uint8Array>, { headers });
  }
  const child = spawn("git", [...gitArgs, service.slice(4), "--stateless-rpc", repo], {
    env: { ...process.env, ...extraEnv, GIT_HTTP_EXPORT_ALL: "1" },
    stdio: ["pipe", "pipe", "pipe"],
  });
  child.on("close", () => onExit?.());
  child.stderr.on("data", (d) => console.error(`slipway: ${service}:`, String(d).trim()));
  if (req.headers.get("content-encoding") === "gzip") body = body.pipe(zlib.createGunzip());
  const out = new PassThrough();
  child.stdout.pipe(out, { end: false });
  let seen = 0;
  let overflow = false;
  let bodyDone = false;
  let childDone = false;
  // A chunked body only shows its size as it arrives. Once over the limit the service is
  // stopped and the rest of the body is read and dropped (git reads the answer only after
  // sending everything), then the answer is a sideband error (band 3), which git prints
  // as `remote: …` and fails the push with.
  const settle = () => {
    if (!childDone || (overflow && !bodyDone)) return;
    if (overflow) out.end(Buffer.from(pktLine(`\x03${tooLarge}\n`)));
    else out.end();
  };
  body.on("data", (chunk: Buffer) => {
    seen += chunk.length;
    if (seen > max && !overflow) {
      overflow = true;
      body.unpipe(child.stdin);
      body.resume(); // unpipe paused it; keep reading
      child.stdin.destroy();
      child.kill("SIGTERM");
    }
    if (overflow && seen > drainCeiling) body.destroy(); // not draining forever
  });
  body.once("end", () => ((bodyDone = true), settle()));
  body.once("error", () => {
    bodyDone = true;
    child.stdin.destroy();
    settle();
  });
  child.once("close", () => ((childDone = true), settle()));
  child.stdin.on("error", () => {});
  body.pipe(child.stdin);
  const stream = Readable.toWeb(out) as ReadableStream<Uint8Array>;
  req.signal.addEventListener("abort", () => child.kill("SIGTERM"), { once: true });
  return new Response(stream, { headers });
}

function pktLine(s: string): string {
  return (Buffer.byteLength(s) + 4).toString(16).padStart(4, "0") + s;
}

function run(cmd: string, args: string[]): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ["ignore", "pipe", "pipe"] });
    const out: Buffer[] = [];
    let err = "";
    child.stdout.on("data", (d: Buffer) => out.push(d));
    child.stderr.on("data", (d) => (err += d));
    // stderr names the server's paths: it goes to the log, the caller gets our words.
    child.on("error", (e) => {
      console.error("slipway: could not run git", e);
      reject(new AppError("UNAVAILABLE", "git is not available on the platform; ask its admin."));
    });
    child.on("close", (code) => {
      if (code === 0) return resolve(Buffer.concat(out));
      console.error(`slipway: git ${args[0]} exited with ${code}:`, err.trim());
      reject(new AppError("INTERNAL", "The app's git repository could not be read on the platform's side; ask the platform's admin (the server log has the details)."));
    });
  });
}

/**
 * The hooks directory: a pre-receive that connects to SLIPWAY_HOOK_SOCKET, sends the
 * pushed refs (and git's quarantine paths, so the platform can read the new objects),
 * prints what comes back and exits with the status the platform sends.
 */
async function ensureHooks(): Promise<string> {
  const dir = path.join(gitRoot(), "hooks");
  const hook = path.join(dir, "pre-receive");
  // Perl (perl-base is in every Debian, and git needs it): the hook starts in a few ms,
  // where Node took 100-150 ms of every push on this machine.
  const pl = `#!/usr/bin/perl
# Written by Slipway (server/build/git.ts); rewritten at every push. Hands the pushed refs to
# the platform over SLIPWAY_HOOK_SOCKET and prints what it sends back (the build's output).
use strict;
use warnings;
use IO::Socket::UNIX;
my @refs;
while (my $l = <STDIN>) {
  chomp $l;
  next unless length $l;
  my ($old, $new, $ref) = split / /, $l;
  push @refs, [$old, $new, $ref];
}
sub j { my $s = shift; $s =~ s/(["\\\\])/\\\\$1/g; $s =~ s/([\\x00-\\x1f])/sprintf("\\\\u%04x", ord($1))/ge; return "\\"$s\\""; }
my $refs = join ",", map { "{\\"oldRev\\":" . j($_->[0]) . ",\\"newRev\\":" . j($_->[1]) . ",\\"ref\\":" . j($_->[2]) . "}" } @refs;
my $env = join ",", map { j($_) . ":" . j($ENV{$_}) } grep { defined $ENV{$_} } qw(GIT_OBJECT_DIRECTORY GIT_ALTERNATE_OBJECT_DIRECTORIES GIT_QUARANTINE_PATH);
sub out { my $s = shift; while (length $s) { my $n = syswrite(STDOUT, $s); last unless defined $n; substr($s, 0, $n) = ""; } }
my $sock = IO::Socket::UNIX->new(Type => SOCK_STREAM(), Peer => $ENV{SLIPWAY_HOOK_SOCKET} // "");
unless ($sock) { out(" !     The platform could not be reached; push again.\\n"); exit 1; }
print $sock "{\\"refs\\":[$refs],\\"env\\":{$env}}\\n";
$sock->flush;
# Frames: a type byte (o: output, x: exit code), a 32-bit length, that many bytes.
my ($code, $buf) = (1, "");
while (sysread($sock, $buf, 65536, length $buf)) {
  while (length($buf) >= 5) {
    my ($type, $len) = unpack("a1 N", $buf);
    last if length($buf) < 5 + $len;
    my $payload = substr($buf, 5, $len);
    substr($buf, 0, 5 + $len) = "";
    if ($type eq "o") { out($payload); } elsif ($type eq "x") { $code = int($payload); }
  }
}
exit $code;
`;
  await fs.promises.mkdir(dir, { recursive: true });
  if ((await fs.promises.readFile(hook, "utf8").catch(() => "")) !== pl) {
    // Written aside and renamed: a push running the old hook never sees half a file, and
    // pushes starting together each rename their own copy.
    const tmp = `${hook}.${process.pid}.${crypto.randomBytes(4).toString("hex")}.tmp`;
    await fs.promises.writeFile(tmp, pl, { mode: 0o755 });
    await fs.promises.rename(tmp, hook);
    await fs.promises.rm(path.join(dir, "pre-receive.cjs"), { force: true }); // the Node hook it replaces
  }
  return dir;
}
