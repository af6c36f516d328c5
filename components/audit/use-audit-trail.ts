"use client";

import { keepPreviousData, skipToken, useInfiniteQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc-provider";
import type { ActivityVia } from "@/server/services/activity-kinds";

export type AuditScope = { app: string } | { team: string };
export type AuditFilters = { kind?: string; via?: ActivityVia; q?: string };

const PAGE_SIZE = 50;

/** One app's or one team's audit trail, newest first, a page at a time ("Load more"). */
export function useAuditTrail(scope: AuditScope, filters: AuditFilters) {
  const trpc = useTRPC();
  const input = { ...filters, limit: PAGE_SIZE };
  const next = { getNextPageParam: (page: { nextCursor: string | null }) => page.nextCursor ?? undefined };
  // While new filters load, the previous list stays on screen instead of a skeleton.
  const shared = { staleTime: 0, placeholderData: keepPreviousData };
  // Both doors are declared; the one for the other kind of scope is skipped.
  const app = useInfiniteQuery({ ...trpc.activity.app.infiniteQueryOptions("app" in scope ? { app: scope.app, ...input } : skipToken, next), ...shared });
  const team = useInfiniteQuery({ ...trpc.activity.team.infiniteQueryOptions("team" in scope ? { team: scope.team, ...input } : skipToken, next), ...shared });
  const query = "app" in scope ? app : team;
  return {
    events: query.data?.pages.flatMap((p) => p.events) ?? [],
    isLoading: query.isPending,
    error: query.error,
    hasMore: query.hasNextPage,
    isLoadingMore: query.isFetchingNextPage,
    loadMore: () => void query.fetchNextPage(),
  };
}

/** Where the "Export JSON lines" button downloads from, with the filters on screen. */
export function exportHref(scope: AuditScope, filters: AuditFilters) {
  const base = "app" in scope ? `/api/apps/${encodeURIComponent(scope.app)}/activity` : `/api/teams/${encodeURIComponent(scope.team)}/activity`;
  const params = new URLSearchParams(Object.entries(filters).filter((e): e is [string, string] => !!e[1]));
  const query = params.toString();
  return query ? `${base}?${query}` : base;
}
