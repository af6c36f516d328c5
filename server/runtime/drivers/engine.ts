import "server-only";
// The engine driver: every dyno is a container on one Docker Engine, on a bridge network per
// app, reached by the router at its address on that network. Today's single-machine runtime.
import crypto from "node:crypto";
import os from "node:os";
import type Dockerode from "dockerode";
import { env } from "@/server/env";
import { cpuReading, memoryUsed } from "@/server/metrics/aggregate";
import { docker, engine, engineError, engineStatus, pingEngine, STACK_IMAGE } from "@/server/runtime/docker";
import type {
  AttachedRun,
  DiskLimitSupport,
  Dyno,
  DynoAddress,
  DynoEventHandlers,
  DynoInfo,
  DynoLogLine,
  DynoSpec,
  DynoStats,
  DynoStatus,
  NodeAvailability,
  RuntimeDriver,
  RuntimeNode,
} from "@/server/runtime/driver";
import { AppError } from "@/server/errors";
import { containerIp, engineSubnets, ensureAppNetwork, forgetAppNetwork, networkName, removeAppNetwork } from "@/server/runtime/drivers/engine-network";
import { containerLogLines, pipeAttachedOutput, watchContainerEvents } from "@/server/runtime/drivers/engine-streams";
import { cgroupDynoStats } from "@/server/runtime/cgroup-stats";
import { cgroupMode } from "@/server/runtime/cgroups";
import { dynoCgroupParent, removeDynoCgroup } from "@/server/runtime/dyno-cgroup";
import { dynoLabelFilter, dynoLabels, LABEL, parseDynoLabels, STANDBY_NAME_SUFFIX } from "@/server/runtime/labels";

export class EngineDriver implements RuntimeDriver {
  readonly name = "engine";
  private beforeRemove = new Set<(id: string) => Promise<unknown>>();
  private diskProbe: Promise<DiskLimitSupport> | undefined;
  /** The Engine's own name for its machine (its hostname), asked once. */
  private machine: Promise<string> | undefined;

  ping(timeoutMs?: number) {
    return pingEngine(timeoutMs);
  }

  // ---- dynos ----------------------------------------------------------------------------

  async listDynos(installation: string, appId?: string, opts: { standbys?: boolean } = {}): Promise<Dyno[]> {
    const rows = await engine("List dyno containers", () => docker().listContainers({ all: true, filters: { label: dynoLabelFilter(installation, appId) } }));
    const node = await this.machineName();
    const dynos = rows.map((c) => ({
      id: c.Id,
      ...parseDynoLabels(c.Labels),
      status: c.State as DynoStatus,
      createdAt: c.Created * 1000,
      node,
      standby: (c.Names ?? []).some((n) => n.endsWith(STANDBY_NAME_SUFFIX)),
    }));
    return opts.standbys ? dynos : dynos.filter((c) => !c.standby);
  }

  async createDyno(spec: DynoSpec): Promise<string> {
    const network = await ensureAppNetwork(spec.installation, spec.appId, spec.appName);
    const suffix = crypto.randomBytes(3).toString("hex");
    const cpus = Math.min(spec.size.cpus, this.cpuCap());
    const disk = await this.diskLimit(); // an ephemeral disk cap where the storage driver has one
    const cgroupParent = await dynoCgroupParent(spec.installation, spec.appId); // CPU split per app
    const options: Dockerode.ContainerCreateOptions = {
      name: `slipway-${spec.appName}-${spec.dyno}-v${spec.release}-${suffix}${spec.standby ? STANDBY_NAME_SUFFIX : ""}`,
      Image: spec.image,
      // Procfile commands are shell command lines, as on Heroku.
      Cmd: ["/bin/bash", "-c", spec.command],
      // A Dockerfile's ENTRYPOINT is already part of the command its build recorded.
      Entrypoint: [""],
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      User: "1000:1000",
      WorkingDir: "/app",
      Labels: dynoLabels(spec),
      StopSignal: "SIGTERM",
      StopTimeout: spec.stopTimeoutSeconds,
      Tty: !!spec.interactive?.tty,
      OpenStdin: !!spec.interactive,
      // The attached caller's end of input is the dyno's (and a later attach gets none).
      StdinOnce: !!spec.interactive,
      AttachStdin: !!spec.interactive,
      AttachStdout: !!spec.oneOff,
      AttachStderr: !!spec.oneOff,
      HostConfig: {
        // tini as PID 1: forwards SIGTERM to the process and reaps zombies.
        Init: true,
        NetworkMode: network,
        CgroupParent: cgroupParent,
        Memory: spec.size.memoryMb * 1024 * 1024,
        MemorySwap: spec.size.memoryMb * 1024 * 1024,
        NanoCpus: Math.round(cpus * 1e9),
        PidsLimit: spec.size.pids,
        StorageOpt: disk.supported ? { size: `${disk.sizeMb}M` } : undefined,
        CapDrop: ["ALL"],
        SecurityOpt: ["no-new-privileges"],
        RestartPolicy: { Name: "no" },
        LogConfig: { Type: "json-file", Config: { "max-size": "10m", "max-file": "2" } },
      },
    };
    const container = await engine(`Create dyno ${spec.dyno}`, async () => {
      try {
        return await docker().createContainer(options);
      } catch (err) {
        if (engineStatus(err) === 404) forgetAppNetwork(spec.appId); // removed behind our back: re-check next time
        throw err;
      }
    });
    return container.id;
  }

  async startDyno(id: string) {
    await engine("Start dyno", () => docker().getContainer(id).start()).catch((err) => {
      if (engineStatus(err) !== 304) throw err; // already started
    });
  }

  async pauseDyno(id: string) {
    await engine("Pause standby dyno", () => docker().getContainer(id).pause()).catch((err) => {
      if (engineStatus(err) !== 409) throw err; // already paused
    });
  }

  /**
   * Thaw first, then rename: a control plane that dies in between leaves a running standby
   * (the pool removes it), never a paused formation dyno nobody thaws.
   */
  async promoteDyno(id: string) {
    const container = docker().getContainer(id);
    const info = await this.inspect(id);
    if (!info) throw new AppError("NOT_FOUND", "The standby dyno is gone.", { resource: "dyno" });
    // The Engine answers 500 (not 409) to unpausing one that is not paused: ask first.
    if (info.State.Paused) await engine("Unpause standby dyno", () => container.unpause());
    const name = info.Name.replace(/^\//, "");
    if (name.endsWith(STANDBY_NAME_SUFFIX)) {
      await engine("Promote standby dyno", () => container.rename({ name: name.slice(0, -STANDBY_NAME_SUFFIX.length) }));
    }
  }

  /** Docker's stop does exactly Heroku's dance: SIGTERM, then SIGKILL after the timeout. */
  async stopDyno(id: string, timeoutSeconds: number) {
    await engine("Stop dyno", () => docker().getContainer(id).stop({ t: timeoutSeconds })).catch((err) => {
      const status = engineStatus(err);
      if (status !== 304 && status !== 404) throw err;
    });
  }

  async killDyno(id: string) {
    await engine("Kill dyno", () => docker().getContainer(id).kill({ signal: "SIGKILL" })).catch((err) => {
      const status = engineStatus(err);
      if (status !== 404 && status !== 409) throw err;
    });
  }

  async removeDyno(id: string) {
    await Promise.all(
      [...this.beforeRemove].map((hook) => {
        let timer: NodeJS.Timeout | undefined;
        const cap = new Promise((r) => (timer = setTimeout(r, 2_000)));
        return Promise.race([hook(id).catch(() => undefined), cap]).finally(() => clearTimeout(timer));
      }),
    );
    await engine("Remove dyno", () => docker().getContainer(id).remove({ force: true, v: true })).catch((err) => {
      const status = engineStatus(err);
      if (status !== 404 && status !== 409) throw err;
    });
  }

  onBeforeRemove(hook: (id: string) => Promise<unknown>) {
    this.beforeRemove.add(hook);
    return () => void this.beforeRemove.delete(hook);
  }

  async inspectDyno(id: string): Promise<DynoInfo | null> {
    const info = await this.inspect(id);
    if (!info) return null;
    const started = Date.parse(info.State.StartedAt);
    return {
      id: info.Id,
      ...parseDynoLabels(info.Config.Labels),
      status: info.State.Status as DynoStatus,
      running: info.State.Running,
      exitCode: info.State.Status === "created" ? null : info.State.ExitCode,
      oomKilled: info.State.OOMKilled,
      // The Engine says 0001-01-01 for never.
      startedAt: started > 0 ? started : null,
      node: await this.machineName(),
    };
  }

  /** The container's address on its app network, and $PORT itself (no port mapping). */
  async dynoAddress(id: string, port: number): Promise<DynoAddress | null> {
    const info = await this.inspect(id);
    const appId = info?.Config.Labels?.[LABEL.appId];
    const host = info && appId ? containerIp(info, appId) : null;
    return host ? { host, port } : null;
  }

  /**
   * One reading of the Engine's stats API (`stream: false`, `one-shot`: the Engine answers at
   * once instead of waiting a second to fill in `precpu_stats`).
   */
  async dynoStats(id: string, where?: { installation: string; appId: string }): Promise<DynoStats | null> {
    // The kernel's counters where the dyno sits in its app's cgroup (cgroup-stats.ts): no
    // Engine call. A dyno that is gone has no cgroup either, and is asked about below.
    if (where && (await cgroupMode()) === "v1") {
      const read = cgroupDynoStats(where, id);
      if (read) return read;
    }
    try {
      const stats = await docker().getContainer(id).stats({ stream: false, "one-shot": true });
      return { memoryBytes: memoryUsed(stats.memory_stats), cpu: cpuReading(stats.cpu_stats) };
    } catch (err) {
      if (engineStatus(err) === 404) return null;
      throw engineError(err, "Read dyno stats");
    }
  }

  cpuCap() {
    return os.availableParallelism();
  }

  /**
   * The Engine can cap a container's writable layer (`StorageOpt size`) only with some
   * storage drivers (overlay2 on xfs mounted with pquota, btrfs, zfs, devicemapper). Found
   * out once, by asking the Engine to create a capped container.
   */
  diskLimit(): Promise<DiskLimitSupport> {
    return (this.diskProbe ??= probeDiskLimit().catch((err: unknown) => ({
      supported: false as const,
      reason: `Dyno disk is not limited: the Engine could not be asked (${(err as Error).message}).`,
    })));
  }

  // ---- output and events ----------------------------------------------------------------

  dynoLogs(id: string, opts: { follow: boolean; sinceNs?: bigint; signal?: AbortSignal }): AsyncIterable<DynoLogLine> {
    return containerLogLines(id, opts);
  }

  watchEvents(installation: string, handlers: DynoEventHandlers) {
    return watchContainerEvents(installation, handlers);
  }

  // ---- one-off dynos -------------------------------------------------------------------

  async runAttached(id: string, opts: AttachedRun): Promise<{ exitCode: number }> {
    const container = docker().getContainer(id);
    let timer: NodeJS.Timeout | undefined;
    const kill = () => void this.killDyno(id).catch(() => {});
    try {
      const info = await this.inspect(id);
      const tty = !!info?.Config.Tty;
      const withStdin = !!opts.stdin && !!info?.Config.OpenStdin;
      // With stdin the Engine hands over the raw connection (hijacked), both ways.
      const stream = (await engine("Attach to the one-off dyno", () =>
        container.attach({ stream: true, stdout: true, stderr: true, ...(withStdin ? { stdin: true, hijack: true } : {}) }),
      )) as NodeJS.ReadWriteStream;
      pipeAttachedOutput(stream, tty, docker().modem, opts.onOutput);
      const drained = new Promise<void>((resolve) => {
        stream.once("end", resolve);
        stream.once("close", resolve);
      });
      // The caller's end of input half-closes the connection: the Engine closes the dyno's
      // stdin (StdinOnce) and goes on sending its output.
      if (withStdin) opts.stdin!.pipe(stream as NodeJS.WritableStream, { end: true });
      opts.signal?.addEventListener("abort", kill, { once: true });
      if (opts.signal?.aborted) kill();
      if (opts.timeoutMs) timer = setTimeout(kill, opts.timeoutMs);
      await this.startDyno(id);
      await opts.onStarted?.();
      const { StatusCode } = (await engine("Wait for the one-off dyno", () => container.wait())) as { StatusCode: number };
      // Output still in flight when `wait` returns: the attach stream ends right after.
      await Promise.race([drained, new Promise((r) => setTimeout(r, 2_000))]);
      if (withStdin) {
        opts.stdin!.unpipe(stream as NodeJS.WritableStream);
        (stream as unknown as { destroy?: () => void }).destroy?.();
      }
      return { exitCode: StatusCode };
    } finally {
      clearTimeout(timer);
      opts.signal?.removeEventListener("abort", kill);
    }
  }

  async execAttached(
    id: string,
    exec: { command: string; tty: boolean; env?: Record<string, string> },
    opts: Omit<AttachedRun, "timeoutMs" | "onStarted"> & { onTerminal?: (resize: (size: { cols: number; rows: number }) => Promise<void>) => void },
  ): Promise<{ exitCode: number }> {
    const container = docker().getContainer(id);
    const withStdin = !!opts.stdin;
    const ex = await engine("Start a command in the dyno", () =>
      container.exec({
        Cmd: ["/bin/bash", "-c", exec.command],
        AttachStdin: withStdin,
        AttachStdout: true,
        AttachStderr: true,
        Tty: exec.tty,
        Env: Object.entries(exec.env ?? {}).map(([k, v]) => `${k}=${v}`),
      }),
    );
    const stream = (await engine("Attach to the command in the dyno", () => ex.start({ hijack: true, stdin: withStdin, Tty: exec.tty }))) as NodeJS.ReadWriteStream;
    pipeAttachedOutput(stream, exec.tty, docker().modem, opts.onOutput);
    const drained = new Promise<void>((resolve) => {
      stream.once("end", resolve);
      stream.once("close", resolve);
      stream.once("error", () => resolve());
    });
    const close = () => (stream as unknown as { destroy?: () => void }).destroy?.();
    opts.signal?.addEventListener("abort", close, { once: true });
    if (opts.signal?.aborted) close();
    try {
      if (withStdin) opts.stdin!.pipe(stream as NodeJS.WritableStream, { end: true });
      if (exec.tty) opts.onTerminal?.(async (size) => void (await ex.resize({ w: Math.round(size.cols), h: Math.round(size.rows) }).catch(() => undefined)));
      await drained;
      if (withStdin) opts.stdin!.unpipe(stream as NodeJS.WritableStream);
      const info = await engine("Inspect the command in the dyno", () => ex.inspect());
      return { exitCode: info.Running ? 129 : (info.ExitCode ?? 1) };
    } finally {
      opts.signal?.removeEventListener("abort", close);
      close();
    }
  }

  async resizeDyno(id: string, size: { cols: number; rows: number }) {
    const w = Math.max(1, Math.min(1000, Math.round(size.cols)));
    const h = Math.max(1, Math.min(1000, Math.round(size.rows)));
    await engine("Resize the dyno's terminal", () => docker().getContainer(id).resize({ w, h })).catch((err) => {
      const status = engineStatus(err);
      // 404: gone; 409: not running (yet); 500: the Engine's "no such terminal" for a dyno without one.
      if (status !== 404 && status !== 409 && status !== 500) throw err;
    });
  }

  // ---- networks ------------------------------------------------------------------------

  ensureAppNetwork(installation: string, appId: string, appName: string) {
    return ensureAppNetwork(installation, appId, appName);
  }

  appNetworkName(appId: string) {
    return networkName(appId);
  }

  async removeApp(installation: string, appId: string) {
    await removeAppNetwork(appId);
    await removeDynoCgroup(installation, appId);
  }

  networkSubnets() {
    return engineSubnets();
  }

  // ---- nodes: one machine --------------------------------------------------------------

  /** The Engine's hostname (`docker info`'s Name), or "this machine" when it cannot say. */
  private machineName(): Promise<string> {
    this.machine ??= docker()
      .info()
      .then((i: { Name?: string }) => i.Name || "this machine")
      .catch(() => {
        this.machine = undefined; // ask again next time
        return "this machine";
      });
    return this.machine;
  }

  async nodes(installation: string): Promise<RuntimeNode[]> {
    const info = (await engine("Read the Engine's info", () => docker().info())) as { Name?: string; MemTotal?: number; NCPU?: number; ServerVersion?: string };
    const dynos = await this.listDynos(installation);
    return [
      {
        id: "local",
        name: info.Name || "this machine",
        state: "ready",
        availability: "active",
        role: "manager",
        leader: true,
        address: null,
        memoryBytes: info.MemTotal ?? null,
        cpus: info.NCPU ?? null,
        engineVersion: info.ServerVersion ?? null,
        dynos: dynos.filter((d) => d.status === "running").length,
      },
    ];
  }

  async setNodeAvailability(id: string, _availability: NodeAvailability): Promise<void> {
    if (id !== "local") throw new AppError("NOT_FOUND", `Couldn't find node ${id}.`, { resource: "node" });
    throw new AppError(
      "UNPROCESSABLE",
      "This installation runs every dyno on one Docker Engine (SLIPWAY_RUNTIME=engine): there is no other node to move its dynos to. Draining needs the swarm runtime (SLIPWAY_RUNTIME=swarm).",
    );
  }

  private async inspect(id: string): Promise<Dockerode.ContainerInspectInfo | null> {
    try {
      return await docker().getContainer(id).inspect();
    } catch (err) {
      if (engineStatus(err) === 404) return null;
      throw engineError(err, "Inspect dyno");
    }
  }
}

async function probeDiskLimit(): Promise<DiskLimitSupport> {
  const d = docker();
  const info = (await d.info()) as { Driver?: string; DriverStatus?: [string, string][] };
  const driver = info.Driver ?? "unknown";
  const backing = info.DriverStatus?.find(([k]) => k === "Backing Filesystem")?.[1];
  const where = `the Engine's ${driver} storage driver${backing ? ` on ${backing}` : ""}`;
  try {
    const c = await d.createContainer({ Image: STACK_IMAGE, Cmd: ["true"], Labels: { "slipway.probe": "storage-opt" }, HostConfig: { StorageOpt: { size: "64M" } } });
    await c.remove({ force: true }).catch(() => undefined);
    return { supported: true, sizeMb: env().SLIPWAY_QUOTA_DYNO_DISK_MB };
  } catch (err) {
    const detail = String((err as { json?: { message?: string } }).json?.message ?? (err as Error).message).trim();
    return {
      supported: false,
      reason: `Dyno disk is not limited: ${where} cannot cap a container's writable layer (${detail}). A dyno can fill the host's disk; use overlay2 on xfs mounted with pquota (or btrfs/zfs) to enforce SLIPWAY_QUOTA_DYNO_DISK_MB.`,
    };
  }
}
