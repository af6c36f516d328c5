// Restarting this machine's dockerd the way scripts/lib.sh starts it (ensure_docker, with
// its flags and its log file), for the Engine-fault test. Every container, test and helper
// on the machine shares this Engine: use it once per test, and only where the Engine keeps
// containers running across the restart (live-restore).
import { spawn } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { docker } from "@/server/runtime/docker";

const PID_FILE = "/var/run/docker.pid";
const ROOT = path.resolve(__dirname, "../..");

export type EngineRestartability = { ok: true; pid: number; logDir: string | null } | { ok: false; skip: boolean; reason: string };

function libFlags(): Promise<string[]> {
  return run(["-c", 'source scripts/lib.sh && _slipway_dockerd_flags'], {}).then((out) => out.split("\n").filter(Boolean));
}

function run(args: string[], env: Record<string, string>): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn("bash", args, { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve(out) : reject(new Error(`bash ${args.join(" ")} exited ${code}: ${err.trim().slice(-800)}`))));
  });
}

/**
 * Whether this machine's Engine can be restarted here the way scripts/lib.sh starts it, with
 * its dynos kept running: a local dockerd that lib.sh started (no flags but lib.sh's) with
 * live-restore on. `skip` marks machines where the test does not apply (another Engine
 * setup, swarm mode); otherwise a refusal is a failure to fix (restart dockerd with lib.sh).
 */
export async function engineRestartability(): Promise<EngineRestartability> {
  const host = process.env.DOCKER_HOST;
  if (host && host !== "unix:///var/run/docker.sock") return { ok: false, skip: true, reason: `the Engine is at DOCKER_HOST=${host}, not a local dockerd` };
  const pid = Number(fs.readFileSync(PID_FILE, "utf8").trim());
  const argv = fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  const flags = await libFlags();
  if (path.basename(argv[0] ?? "") !== "dockerd" || argv.slice(1).some((a) => !flags.includes(a) && a !== "--live-restore")) {
    return { ok: false, skip: true, reason: `dockerd runs as \`${argv.join(" ")}\`, not as scripts/lib.sh starts it: restarting it another way would change the machine` };
  }
  const info = (await docker().info()) as { LiveRestoreEnabled?: boolean; Swarm?: { LocalNodeState?: string } };
  if (info.Swarm?.LocalNodeState && info.Swarm.LocalNodeState !== "inactive") {
    return { ok: false, skip: true, reason: "the Engine is in swarm mode, where live-restore does not apply (Swarm reschedules instead)" };
  }
  if (!info.LiveRestoreEnabled) {
    return { ok: false, skip: false, reason: "dockerd runs without live-restore, so restarting it would stop every container: restart it with scripts/lib.sh (ensure_docker passes --live-restore) first" };
  }
  let logDir: string | null = null;
  try {
    const log = fs.readlinkSync(`/proc/${pid}/fd/1`);
    if (path.basename(log) === "dockerd.log") logDir = path.dirname(log);
  } catch {
    // No log file to keep appending to: ensure_docker picks its own.
  }
  return { ok: true, pid, logDir };
}

function alive(pid: number) {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    return !/^\d+ \([^)]*\) Z/.test(stat);
  } catch {
    return false;
  }
}

/**
 * Waits (at most `maxMs`) until no network has been created, removed, connected or
 * disconnected on the Engine for `quietMs`. dockerd 20.10 does not wait for API calls in
 * flight when it stops: a network removal cut between its two writes leaves a network with
 * no address pool, and the next dockerd panics at start (libnetwork reservePools, moby
 * issue 45057) — and the machine's containers are lost. Other users of a shared Engine
 * (tests, builds) remove networks all the time; stopping in a quiet moment makes that rare.
 */
async function networkQuiet(quietMs: number, maxMs: number): Promise<void> {
  const stream = (await docker().getEvents({ filters: { type: ["network"] } })) as NodeJS.ReadableStream;
  let last = Date.now();
  stream.on("data", () => (last = Date.now()));
  try {
    const deadline = Date.now() + maxMs;
    while (Date.now() - last < quietMs && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  } finally {
    (stream as { destroy?: () => void }).destroy?.();
  }
}

/**
 * SIGTERM to dockerd (in a moment without network changes), then — once it has exited —
 * scripts/lib.sh's ensure_docker starts it again with lib.sh's flags, logging where it
 * logged before. `whileDown` runs in between. Resolves with how long the Engine was away.
 */
export async function restartDockerd(r: Extract<EngineRestartability, { ok: true }>, whileDown?: () => Promise<void>): Promise<{ downMs: number }> {
  await networkQuiet(3_000, 60_000);
  const stoppedAt = Date.now();
  process.kill(r.pid, "SIGTERM");
  const deadline = Date.now() + 60_000;
  while (alive(r.pid)) {
    if (Date.now() > deadline) throw new Error(`dockerd (pid ${r.pid}) did not exit within 60 s of SIGTERM`);
    await new Promise((res) => setTimeout(res, 50));
  }
  await whileDown?.();
  await run(["-c", "source scripts/lib.sh && ensure_docker"], r.logDir ? { SLIPWAY_DATA_DIR: r.logDir } : {});
  return { downMs: Date.now() - stoppedAt };
}
