"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useSubscription } from "@trpc/tanstack-react-query";
import { useTRPC } from "@/components/trpc-provider";

/**
 * Keeps every add-on query of an app live: the `addons.watch` subscription (SSE) yields on
 * each change (state, provisioning step, attachments, backups) and the add-on queries of
 * the app are refetched. Returns whether the stream is connected.
 */
export function useAddonEvents(appName: string): boolean {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const refetch = () => void queryClient.invalidateQueries({ queryKey: trpc.addons.pathKey() });
  const watch = useSubscription(
    trpc.addons.watch.subscriptionOptions(
      { app: appName },
      {
        // A (re)connect may have missed changes: catch up once, then follow the events.
        onStarted: refetch,
        onData: refetch,
      },
    ),
  );
  return watch.status === "pending";
}
