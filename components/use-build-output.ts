"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useState } from "react";
import type { BuildStatus } from "@/components/build-status-badge";
import { useTRPC } from "@/components/trpc-provider";

export type BuildEnd = { status: "succeeded" | "failed"; error: string | null; release: { version: number } | null };

type OutputState = { buildId: string; text: string; end: BuildEnd | null };

const POLL_MS = 2000;

/**
 * Appends a chunk whose event id is the offset just past it in the build's output. A
 * reconnect resumes at the last id (httpSubscriptionLink sends it), but should a stream
 * start over, the overlap is dropped instead of shown twice.
 */
function appendAt(text: string, chunk: string, id: string): string {
  const end = Number(id);
  if (!Number.isSafeInteger(end)) return text + chunk;
  const start = end - chunk.length;
  if (end <= text.length) return text;
  return start >= text.length ? text + chunk : text + chunk.slice(text.length - start);
}

/**
 * A build's output as it is written, and how it ended. The `builds.output` subscription
 * replays what is stored, follows the build, and ends with one "end" event. The build's
 * row is polled while it is queued (to catch a builder picking it up) and if the stream
 * closed without an end; the end event, when it comes, settles the status.
 */
export function useBuildOutput(appName: string, buildId: string, onEnd?: (end: BuildEnd) => void) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [state, setState] = useState<OutputState>({ buildId, text: "", end: null });
  const current = state.buildId === buildId ? state : { buildId, text: "", end: null };

  const subscription = useSubscription(
    trpc.builds.output.subscriptionOptions(
      { app: appName, id: buildId },
      {
        onData: ({ id, data }) => {
          if (data.type === "output") {
            setState((s) => {
              const base = s.buildId === buildId ? s : { buildId, text: "", end: null };
              return { ...base, text: appendAt(base.text, data.text, id) };
            });
            return;
          }
          const end: BuildEnd = { status: data.status, error: data.error, release: data.release };
          setState((s) => ({ ...(s.buildId === buildId ? s : { buildId, text: "" }), end }));
          // A finished build changes the release list, the app's current release and its
          // formation (a first deploy adds process types): refresh whatever shows them.
          for (const queryKey of [trpc.builds.pathKey(), trpc.releases.pathKey(), trpc.apps.pathKey(), trpc.formation.pathKey(), trpc.dynos.pathKey()]) {
            void queryClient.invalidateQueries({ queryKey });
          }
          onEnd?.(end);
        },
      },
    ),
  );

  const isStreamClosed = subscription.status === "idle";
  const build = useQuery({
    ...trpc.builds.get.queryOptions({ app: appName, id: buildId }),
    refetchInterval: (query) => {
      const status = query.state.data?.status;
      if (current.end || status === "succeeded" || status === "failed") return false;
      return status === "queued" || isStreamClosed ? POLL_MS : false;
    },
  });

  const rowStatus = build.data?.status;
  const status: BuildStatus = current.end?.status ?? rowStatus ?? "queued";
  // Without an end event (a stream that closed early), the row's output is the best copy.
  const text = !current.end && isStreamClosed && build.data && build.data.output.length > current.text.length ? build.data.output : current.text;

  return {
    build,
    text,
    end: current.end,
    status,
    error: current.end?.error ?? (rowStatus === "failed" ? (build.data?.error ?? null) : null),
    release: current.end?.release ?? build.data?.release ?? null,
    isLive: subscription.status === "pending",
    streamError: subscription.error,
  };
}
