"use client";

import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useEffect, useMemo, useRef, useState } from "react";
import { mergeActivity } from "@/components/activity-entries";
import { isBuildActive } from "@/components/build-status-badge";
import { useTRPC } from "@/components/trpc-provider";

const LIVE_POLL_MS = 3000;

/**
 * Releases and builds merged into one history. While a build runs or a release is pending
 * both lists poll together (a build finishing and its release appearing are one change),
 * and when the last build finishes the releases are fetched once more for its release.
 */
export function useActivity(appName: string, limit: number) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [isLive, setIsLive] = useState(false);
  const refetchInterval = isLive ? LIVE_POLL_MS : false;
  const releases = useQuery({ ...trpc.releases.list.queryOptions({ app: appName, limit }), refetchInterval });
  const builds = useQuery({ ...trpc.builds.list.queryOptions({ app: appName, limit }), refetchInterval });

  const isBuilding = builds.data?.some((b) => isBuildActive(b.status)) ?? false;
  const isPending = releases.data?.some((r) => r.status === "pending") ?? false;
  useEffect(() => setIsLive(isBuilding || isPending), [isBuilding, isPending]);

  const wasBuilding = useRef(isBuilding);
  useEffect(() => {
    if (wasBuilding.current && !isBuilding) {
      void queryClient.invalidateQueries({ queryKey: trpc.releases.pathKey() });
      void queryClient.invalidateQueries({ queryKey: trpc.apps.pathKey() });
    }
    wasBuilding.current = isBuilding;
  }, [isBuilding, queryClient, trpc]);

  const entries = useMemo(
    () => (releases.data && builds.data ? mergeActivity(releases.data, builds.data).slice(0, limit) : []),
    [releases.data, builds.data, limit],
  );

  return {
    entries,
    currentVersion: releases.data?.find((r) => r.current)?.version ?? null,
    hasBuilds: (builds.data?.length ?? 0) > 0,
    isLoading: releases.isPending || builds.isPending,
    error: releases.error ?? builds.error,
  };
}
