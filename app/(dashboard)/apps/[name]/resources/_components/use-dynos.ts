"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "@/components/trpc-provider";
import type { FormationEntry } from "./types";

const FALLBACK_POLL_MS = 5000;

/**
 * The app's dynos, kept live: the `dynos.watch` subscription (SSE) refetches the list on
 * every state change, and the formation when a new dyno appears. While dynos are starting,
 * or their count doesn't yet match the formation, a slow poll backs it up in case an event
 * is missed during a reconnect.
 */
export function useDynos(appName: string, formation: FormationEntry[] | undefined) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const listKey = trpc.dynos.list.queryKey({ app: appName });
  const wanted = formation?.reduce((sum, f) => sum + f.quantity, 0);

  const dynos = useQuery({
    ...trpc.dynos.list.queryOptions({ app: appName }),
    refetchInterval: (query) => {
      const data = query.state.data;
      if (!data) return false;
      const isStarting = data.some((d) => d.state === "starting");
      const isConverging = wanted !== undefined && data.filter((d) => d.type !== "run").length !== wanted;
      return isStarting || isConverging ? FALLBACK_POLL_MS : false;
    },
  });

  const refetch = () => void queryClient.invalidateQueries({ queryKey: listKey });
  const watch = useSubscription(
    trpc.dynos.watch.subscriptionOptions(
      { app: appName },
      {
        // A (re)connect may have missed changes: catch up once, then follow the events.
        onStarted: refetch,
        onData: (change) => {
          refetch();
          // A new dyno may come from a deploy that added process types (or the first deploy).
          if (change.from === null) void queryClient.invalidateQueries({ queryKey: trpc.formation.list.queryKey({ app: appName }) });
        },
      },
    ),
  );

  return { dynos, isLive: watch.status === "pending" };
}
