import "server-only";
// The build pipeline's Engine client: images (inspect, the Engine's build API, list, remove),
// the containers buildpack builds run in, build networks and cache volumes. Builds are
// Engine work whatever runtime driver runs the dynos (a Swarm installation builds on the
// manager and pushes to its registry), so they stay off the runtime driver, here.
import crypto from "node:crypto";
import fs from "node:fs";
import { Writable, type Readable } from "node:stream";
import { AppError } from "@/server/errors";
import { docker, engine, engineError, engineStatus, RunInterruptedError } from "@/server/runtime/docker";
import { BRIDGE_NAME_OPTION, bridgePrefix, ICC_OPTION } from "@/server/runtime/network";
import { createBridgeNetwork } from "@/server/runtime/drivers/subnets";

// ---- images --------------------------------------------------------------------------

export async function imageExists(tag: string): Promise<boolean> {
  try {
    await docker().getImage(tag).inspect();
    return true;
  } catch (err) {
    if (engineStatus(err) === 404) return false;
    throw engineError(err, `Inspect image ${tag}`);
  }
}

export type ImageInfo = { id: string; repoTags: string[]; labels: Record<string, string>; entrypoint: string[]; cmd: string[] };

/** An image's full id (`sha256:…`), tags, labels and command; null when the Engine has no such image. */
export async function inspectImage(ref: string): Promise<ImageInfo | null> {
  try {
    const info = await docker().getImage(ref).inspect();
    const asList = (v: unknown) => (Array.isArray(v) ? (v as string[]) : typeof v === "string" && v ? [v] : []);
    return { id: info.Id, repoTags: info.RepoTags ?? [], labels: info.Config?.Labels ?? {}, entrypoint: asList(info.Config?.Entrypoint), cmd: asList(info.Config?.Cmd) };
  } catch (err) {
    if (engineStatus(err) === 404) return null;
    throw engineError(err, "Inspect an image");
  }
}

/**
 * Builds an image from a directory with a Dockerfile (the Engine's build API; the
 * directory is sent as a tar context). Progress lines go to `onLine`; a failed step
 * becomes a BAD_REQUEST AppError carrying the Engine's build message. `signal` aborts
 * the build (the Engine stops it when the request goes away).
 */
export async function buildImage(opts: {
  contextDir: string;
  tag: string;
  labels?: Record<string, string>;
  buildArgs?: Record<string, string>;
  onLine?: (line: string) => void;
  limits?: { memoryBytes: number; cpus: number };
  /** Build every step again (bench/addons times a fresh machine's build this way). */
  noCache?: boolean;
  /**
   * The only images whose layers the build may reuse (the classic builder then takes a
   * cached step only from these images' ancestry); an empty list reuses nothing.
   */
  cacheFrom?: string[];
  /** A cgroup the build's containers are created under (its pids.max bounds them all). */
  cgroupParent?: string;
  /** The network RUN steps use (the legacy builder honours a user-defined network). */
  network?: string;
  signal?: AbortSignal;
}) {
  const d = docker();
  const limits = opts.limits
    ? { memory: opts.limits.memoryBytes, memswap: opts.limits.memoryBytes, cpuperiod: 100_000, cpuquota: Math.round(opts.limits.cpus * 100_000) }
    : {};
  // The Engine reads cachefrom as a JSON list; an empty list would mean "all local images",
  // so "nothing" is said with a name no image has.
  const cache = opts.cacheFrom ? { cachefrom: JSON.stringify(opts.cacheFrom.length ? opts.cacheFrom : ["slipway-no-cache/none:none"]) } : {};
  const cgroup = opts.cgroupParent ? { cgroupparent: opts.cgroupParent } : {};
  const stream = await engine(`Build image ${opts.tag}`, () =>
    d.buildImage(
      { context: opts.contextDir, src: fs.readdirSync(opts.contextDir) },
      { t: opts.tag, labels: opts.labels, buildargs: opts.buildArgs, rm: true, forcerm: true, nocache: opts.noCache, ...limits, ...cache, ...cgroup, networkmode: opts.network, abortSignal: opts.signal },
    ),
  );
  await new Promise<void>((resolve, reject) => {
    opts.signal?.addEventListener("abort", () => reject(new RunInterruptedError("aborted", "The image build was stopped.")), { once: true });
    d.modem.followProgress(
      stream,
      (err: Error | null, output: { error?: string }[]) => {
        const failed = err?.message ?? output.find((o) => o.error)?.error;
        if (failed) reject(new AppError("BAD_REQUEST", `Image build failed: ${failed.trim()}`));
        else resolve();
      },
      (event: { stream?: string; status?: string }) => {
        const line = (event.stream ?? event.status ?? "").replace(/\n$/, "");
        if (line) opts.onLine?.(line);
      },
    );
  });
}

/** Images matching the filters (a reference pattern and/or labels), newest first. */
export async function listImages(filters: { reference?: string[]; label?: string[] }): Promise<{ id: string; created: number; repoTags: string[] }[]> {
  const images = await engine("List images", () => docker().listImages({ filters }));
  return images.sort((a, b) => b.Created - a.Created).map((i) => ({ id: i.Id, created: i.Created, repoTags: i.RepoTags ?? [] }));
}

/** Removes an image (forced: its tags too); gone is fine. */
export async function removeImage(id: string) {
  await engine("Remove an image", () => docker().getImage(id).remove({ force: true })).catch((err) => {
    if (engineStatus(err) !== 404) throw err;
  });
}

/** Gives an image (by id) one more name, `repo:tag` (a promotion's target gets its own). */
export async function tagImage(id: string, repo: string, tag: string): Promise<void> {
  await engine("Tag an image", () => docker().getImage(id).tag({ repo, tag }));
}

/** Removes one name of an image, never the image while another name or a release's id holds it; gone is fine. */
export async function untagImage(tag: string) {
  await engine("Untag an image", () => docker().getImage(tag).remove({ noprune: true })).catch((err) => {
    if (engineStatus(err) !== 404) throw err;
  });
}

/** Removes a volume; gone is fine (false: there was none). In use by a container: CONFLICT. */
export async function removeVolume(name: string): Promise<boolean> {
  return engine(`Remove volume ${name}`, () => docker().getVolume(name).remove()).then(
    () => true,
    (err) => {
      if (engineStatus(err) !== 404) throw err;
      return false;
    },
  );
}

// ---- build containers ----------------------------------------------------------------

export type BuildContainerSpec = {
  image: string;
  cmd: string[];
  user: string;
  workingDir: string;
  env: string[];
  labels: Record<string, string>;
  network: string;
  /** host:container[:ro] bind mounts. */
  binds: string[];
  /** Named volumes mounted at paths; `labels` are given to a volume the Engine creates for it. */
  volumes: { name: string; target: string; labels?: Record<string, string> }[];
  memoryBytes: number;
  cpus: number;
  pids: number;
};

export type BuildContainer = {
  /** Unpacks a tar stream at `path` in the container. */
  putArchive(tar: Readable, path: string): Promise<void>;
  /** Starts it, streams its output, waits for its exit (RunInterruptedError when `signal` aborts). */
  run(onOutput: (text: string) => void, signal: AbortSignal): Promise<{ exitCode: number; oomKilled: boolean }>;
  /** Saves its file system as an image. */
  commit(repo: string, tag: string, changes: string[]): Promise<void>;
};

/** Creates a build container (all capabilities dropped, no-new-privileges, tini), hands it to `use`, removes it. */
export async function withBuildContainer<T>(spec: BuildContainerSpec, use: (c: BuildContainer) => Promise<T>): Promise<T> {
  const d = docker();
  const container = await engine("Create the build container", () =>
    d.createContainer({
      Image: spec.image,
      Cmd: spec.cmd,
      User: spec.user,
      WorkingDir: spec.workingDir,
      Env: spec.env,
      Labels: spec.labels,
      AttachStdout: true,
      AttachStderr: true,
      HostConfig: {
        NetworkMode: spec.network,
        Binds: spec.binds,
        Mounts: spec.volumes.map((v) => ({ Type: "volume" as const, Source: v.name, Target: v.target, ...(v.labels && { VolumeOptions: { NoCopy: false, Labels: v.labels, DriverConfig: { Name: "local", Options: {} } } }) })),
        Memory: spec.memoryBytes,
        MemorySwap: spec.memoryBytes,
        NanoCpus: Math.round(spec.cpus * 1e9),
        PidsLimit: spec.pids,
        CapDrop: ["ALL"],
        SecurityOpt: ["no-new-privileges"],
        Init: true,
      },
    }),
  );
  try {
    return await use({
      putArchive: (tar, path) => engine("Copy the source into the build container", () => container.putArchive(tar, { path })).then(() => undefined),
      commit: (repo, tag, changes) => engine("Save the build as an image", () => container.commit({ repo, tag, changes })).then(() => undefined),
      run: async (onOutput, signal) => {
        const stream = await engine("Attach to the build container", () => container.attach({ stream: true, stdout: true, stderr: true }));
        const sink = new Writable({
          write(chunk: Buffer, _enc, done) {
            onOutput(chunk.toString("utf8"));
            done();
          },
        });
        d.modem.demuxStream(stream, sink, sink);
        const drained = new Promise<void>((resolve) => {
          stream.once("end", resolve);
          stream.once("close", resolve);
          stream.once("error", () => resolve());
        });
        const interrupted = new Promise<never>((_, reject) => {
          const stop = () => reject(new RunInterruptedError("aborted", "stopped"));
          if (signal.aborted) stop();
          signal.addEventListener("abort", stop, { once: true });
        });
        const { StatusCode } = (await Promise.race([
          engine("Run the build", async () => {
            await container.start();
            return (await container.wait()) as { StatusCode: number };
          }),
          interrupted,
        ])) as { StatusCode: number };
        await Promise.race([drained, new Promise((r) => setTimeout(r, 2_000))]);
        const oomKilled = StatusCode !== 0 && !!(await container.inspect().catch(() => null))?.State?.OOMKilled;
        return { exitCode: StatusCode, oomKilled };
      },
    });
  } finally {
    await container.remove({ force: true, v: false }).catch((err: unknown) => {
      if (engineStatus(err) !== 404) console.error("slipway: could not remove build container", container.id, err);
    });
  }
}

// ---- build networks ------------------------------------------------------------------

const BUILD_LABEL = "slipway.build-network";

export type BuildNetwork = { name: string; remove(): Promise<void> };

/**
 * A network for one build, removed after it: the installation's bridge prefix (the firewall
 * keeps builds off the host's ports and the metadata address) and a bridge of its own, so
 * no build can reach another, nor any dyno. Outbound traffic is NATed as usual (package
 * registries, the Debian mirror). Networks left by a control plane that died mid-build are
 * swept here once they are older than any build can be.
 */
export async function createBuildNetwork(installation: string, maxAgeMs: number): Promise<BuildNetwork> {
  const d = docker();
  const id = crypto.randomBytes(4).toString("hex").slice(0, 7);
  const name = `slipway-build-${installation}-${id}`;
  await sweepBuildNetworks(installation, maxAgeMs);
  await engine("Create the build network", () =>
    createBridgeNetwork(d, {
      Name: name,
      Driver: "bridge",
      CheckDuplicate: true,
      Options: { [BRIDGE_NAME_OPTION]: `${bridgePrefix(installation)}b${id}`, [ICC_OPTION]: "false" },
      Labels: { "slipway.managed": "1", "slipway.installation": installation, [BUILD_LABEL]: "1" },
    }),
  );
  return { name, remove: () => removeBuildNetwork(name) };
}

/**
 * Removes a build's network. A Dockerfile build stopped mid-step (its time limit, an error)
 * leaves the step's container on the network until the Engine has taken it down, a few
 * seconds later: the Engine refuses the removal meanwhile ("has active endpoints"), so it
 * is tried again, for up to ~37 s. A network still left is swept by a later build of this
 * installation (sweepBuildNetworks).
 */
async function removeBuildNetwork(name: string): Promise<void> {
  for (let attempt = 0; ; attempt++) {
    try {
      await docker().getNetwork(name).remove();
      return;
    } catch (err) {
      if (engineStatus(err) === 404) return;
      if (engineStatus(err) === 403 && /active endpoints/.test((err as Error).message) && attempt < 15) {
        await new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** attempt, 3_000)));
        continue;
      }
      console.error(`slipway: could not remove build network ${name}`, (err as Error).message);
      return;
    }
  }
}

async function sweepBuildNetworks(installation: string, maxAgeMs: number) {
  const d = docker();
  const old = await d.listNetworks({ filters: { label: [`slipway.installation=${installation}`, BUILD_LABEL] } }).catch(() => []);
  for (const n of old) {
    if (Date.now() - Date.parse(n.Created ?? "") < maxAgeMs) continue;
    await d.getNetwork(n.Id).remove().catch(() => undefined); // still in use: refused, kept
  }
}
