import "server-only";
// Chart markers besides releases (which the Release table already dates): restarts someone
// asked for, and dyno crashes as the dyno manager reports them on the event bus.
import { db } from "@/server/db";
import { bus, type DynoStateChange } from "@/server/runtime/events";

export type RestartKind = "restart" | "crash";

export async function recordRestartEvent(input: { appId: string; kind: RestartKind; message: string; at?: Date }) {
  await db.restartEvent.create({ data: { appId: input.appId, kind: input.kind, message: input.message, at: input.at ?? new Date() } });
}

/** What a restart of all dynos, a process type or one dyno is called on the chart. */
export function restartMessage(input: { type?: string | null; dyno?: string | null }) {
  return input.dyno ? `Restarted ${input.dyno}` : input.type ? `Restarted ${input.type} dynos` : "Restarted all dynos";
}

/** Records a crash marker whenever a dyno goes to `crashed`; returns the unsubscribe. */
export function recordCrashes(): () => void {
  const onDyno = (change: DynoStateChange) => {
    if (change.to !== "crashed" || change.from === "crashed") return;
    recordRestartEvent({ appId: change.appId, kind: "crash", message: `${change.dyno} crashed` }).catch((err: unknown) => {
      // The app may have been destroyed in the meantime; the marker is not worth more than a line.
      console.error(`slipway: metrics could not record the crash of ${change.dyno}:`, err instanceof Error ? err.message : err);
    });
  };
  bus.on("dyno", onDyno);
  return () => bus.off("dyno", onDyno);
}
