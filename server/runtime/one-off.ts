import "server-only";
// One-off dynos (`run.N`): a command in the current release's environment, its output
// streamed to the caller, its exit code returned. Like `heroku run`.
import { Writable } from "node:stream";
import { db } from "@/server/db";
import { AppError } from "@/server/errors";
import { createDynoContainer, listDynoContainers, removeContainer, startContainer } from "@/server/runtime/containers";
import { loadDesiredApp, loadRelease, specHash } from "@/server/runtime/desired";
import { docker, engine } from "@/server/runtime/docker";
import { platformLog } from "@/server/runtime/events";
import { dynoSize, DEFAULT_DYNO_SIZE } from "@/server/runtime/sizes";

export type OneOffOptions = {
  installation: string;
  appId: string;
  command: string;
  size?: string;
  port: number;
  stopTimeoutSeconds: number;
  /** Output as it happens. */
  onOutput: (stream: "stdout" | "stderr", text: string) => void;
  /** Called once the dyno has its name. */
  onStart?: (dyno: string) => void;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Run this release instead of the current one (the release phase runs a pending release). */
  releaseId?: string;
  /** The dyno's name prefix: `run` (run.N), or `release` for the release phase, as Heroku names it. */
  namePrefix?: "run" | "release";
};

export async function runOneOff(opts: OneOffOptions): Promise<{ dyno: string; exitCode: number }> {
  const desired = await loadDesiredApp(opts.appId);
  if (!desired) throw new AppError("NOT_FOUND", "Couldn't find that app.", { resource: "app" });
  const release = opts.releaseId ? await loadRelease(opts.appId, opts.releaseId) : desired.release;
  if (!release) throw new AppError("UNPROCESSABLE", "This app has no release with code yet: deploy first.");
  const size = dynoSize(opts.size ?? DEFAULT_DYNO_SIZE);
  if (!size) throw new AppError("BAD_REQUEST", `Unknown dyno size ${opts.size}.`);
  const command = opts.command.trim();
  if (!command) throw new AppError("BAD_REQUEST", "Give a command to run.", { fieldErrors: { command: "Required." } });

  const taken = (await listDynoContainers(opts.installation, opts.appId)).filter((c) => c.oneOff).map((c) => Number(c.dyno.split(".")[1]));
  const dyno = `${opts.namePrefix ?? "run"}.${Math.max(0, ...taken) + 1}`;
  const id = await createDynoContainer({
    installation: opts.installation,
    spec: specHash({ releaseId: release.id, image: release.image, command, size: size.name }),
    appId: opts.appId,
    appName: desired.appName,
    dyno,
    type: "run",
    releaseId: release.id,
    release: release.version,
    image: release.image,
    command,
    env: { ...release.config, PORT: String(opts.port), DYNO: dyno },
    size,
    oneOff: true,
    stopTimeoutSeconds: opts.stopTimeoutSeconds,
  });
  await db.dyno.deleteMany({ where: { appId: opts.appId, name: dyno } }); // left by a crashed control plane
  const row = await db.dyno.create({
    data: { appId: opts.appId, name: dyno, type: "run", size: size.name, state: "starting", command, releaseId: release.id, containerId: id },
  });
  opts.onStart?.(dyno);
  const container = docker().getContainer(id);
  let timer: NodeJS.Timeout | undefined;
  const kill = () => void container.kill({ signal: "SIGKILL" }).catch(() => {});
  try {
    const stream = await engine("Attach to the one-off dyno", () => container.attach({ stream: true, stdout: true, stderr: true }));
    const sink = (name: "stdout" | "stderr") =>
      new Writable({
        write(chunk: Buffer, _enc, done) {
          opts.onOutput(name, chunk.toString("utf8"));
          done();
        },
      });
    docker().modem.demuxStream(stream, sink("stdout"), sink("stderr"));
    const drained = new Promise<void>((resolve) => {
      stream.once("end", resolve);
      stream.once("close", resolve);
    });
    opts.signal?.addEventListener("abort", kill, { once: true });
    if (opts.timeoutMs) timer = setTimeout(kill, opts.timeoutMs);
    platformLog(opts.appId, dyno, `Starting process with command \`${command}\``);
    await startContainer(id);
    platformLog(opts.appId, dyno, "State changed from starting to up");
    await db.dyno.update({ where: { id: row.id }, data: { state: "up" } });
    const { StatusCode } = (await container.wait()) as { StatusCode: number };
    await Promise.race([drained, new Promise((r) => setTimeout(r, 2_000))]);
    platformLog(opts.appId, dyno, `Process exited with status ${StatusCode}`);
    platformLog(opts.appId, dyno, "State changed from up to complete");
    return { dyno, exitCode: StatusCode };
  } finally {
    clearTimeout(timer);
    opts.signal?.removeEventListener("abort", kill);
    await removeContainer(id);
    await db.dyno.deleteMany({ where: { id: row.id } });
  }
}
