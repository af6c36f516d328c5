import "server-only";
// Everything that feeds an app's log bus: platform lines from the event bus (dyno manager,
// router, API) and dyno output from the collector. Started once, at boot.
import { LogCollector } from "@/server/logs/collector";
import { DrainManager, setDrainManager } from "@/server/logs/drain-manager";
import { closeLogStreams } from "@/server/logs/stream";
import { appendLog, flushLogs, logTime, unloadLogs } from "@/server/logs/store";
import { bus, type PlatformLogLine } from "@/server/runtime/events";

/** The event bus's sources (`slipway`, `slipway[router]`, `app[api]`) as source + dyno. */
function fromPlatform(l: PlatformLogLine) {
  const m = /^(\w+)\[([^\]]+)\]$/.exec(l.source);
  const source = (m ? m[1] : l.source) === "app" ? "app" : "slipway";
  return { at: logTime(l.at, l.micros), source, dyno: m ? m[2]! : l.dyno, message: l.message } as const;
}

type Started = { collector: LogCollector; drains: DrainManager; stop: () => void };
const holder = globalThis as unknown as { slipwayLogging?: Started };

export function startLogging(installation: string, opts: { scanIntervalMs?: number } = {}): Started {
  if (holder.slipwayLogging) return holder.slipwayLogging;
  const onLog = (l: PlatformLogLine) => appendLog(l.appId, fromPlatform(l));
  bus.on("log", onLog);
  // Started by the caller once the Engine answers (platform lines flow before that).
  const collector = new LogCollector(installation, opts.scanIntervalMs);
  const drains = new DrainManager();
  setDrainManager(drains);
  void drains.start().catch((err) => console.error("slipway: log drains did not start", err));
  const onExit = () => flushLogs();
  process.on("exit", onExit);
  process.on("SIGTERM", closeLogStreams);
  process.on("SIGINT", closeLogStreams);
  const stop = () => {
    bus.off("log", onLog);
    collector.close();
    setDrainManager(undefined);
    void drains.close();
    unloadLogs();
    process.off("exit", onExit);
    process.off("SIGTERM", closeLogStreams);
    process.off("SIGINT", closeLogStreams);
    holder.slipwayLogging = undefined;
  };
  return (holder.slipwayLogging = { collector, drains, stop });
}
