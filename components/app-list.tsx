"use client";

import { keepPreviousData, useInfiniteQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { useDebounced } from "@/components/use-debounced";
import { Button, buttonClasses } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { FieldError } from "@/components/ui/field-error";
import { BoxIcon, PlusIcon, SearchIcon, UserIcon, UsersIcon } from "@/components/ui/icons";
import { RelativeTime } from "@/components/ui/relative-time";
import { LoadingRows } from "@/components/ui/skeleton";

const PAGE_SIZE = 50;
const SEARCH_DELAY_MS = 200;

/**
 * The apps of one account (personal, or `team`), a page at a time ("Load more"), searched on
 * the server by the top bar's `?q=` (name contains, any case).
 */
export function AppList({ team }: { team?: string }) {
  const trpc = useTRPC();
  const pathname = usePathname();
  const query = useDebounced((useSearchParams().get("q") ?? "").trim(), SEARCH_DELAY_MS);
  const list = useInfiniteQuery({
    ...trpc.apps.list.infiniteQueryOptions(
      { team: team ?? null, q: query || null, limit: PAGE_SIZE },
      { getNextPageParam: (page) => page.nextCursor ?? undefined },
    ),
    // While a new search loads, the previous list stays on screen instead of a skeleton.
    placeholderData: keepPreviousData,
  });
  const apps = { ...list, data: list.data?.pages.flatMap((p) => p.apps) };
  const newAppHref = team ? `/apps/new?team=${encodeURIComponent(team)}` : "/apps/new";

  if (apps.isPending || !apps.data) {
    return (
      <Card>
        <LoadingRows label="Loading apps" rows={4} />
      </Card>
    );
  }
  if (apps.isError) {
    return (
      <Card className="p-5">
        <FieldError message={`Couldn't load apps: ${messageOf(apps.error)}`} />
      </Card>
    );
  }

  if (apps.data.length === 0 && !query) {
    return (
      <Card>
        <EmptyState
          icon={<BoxIcon />}
          title={team ? `${team} has no apps yet` : "Create your first app"}
          actions={
            <Link href={newAppHref} className={buttonClasses()}>
              <PlusIcon />
              Create an app
            </Link>
          }
        >
          An app holds your code&apos;s releases and config. Create one, then push to it with{" "}
          <code className="font-mono text-fg">git push slipway main</code>: Slipway builds and runs it.
        </EmptyState>
      </Card>
    );
  }

  const shown = apps.data;
  return (
    <Card>
      <div className="hidden grid-cols-[minmax(0,2fr)_minmax(0,1.4fr)_6rem_9rem] gap-4 border-b border-border px-5 py-2.5 text-xs font-medium tracking-wide text-muted uppercase md:grid" aria-hidden="true">
        <span>Name</span>
        <span>Owner</span>
        <span>Region</span>
        <span className="text-right">Last release</span>
      </div>
      {shown.length === 0 ? (
        <EmptyState
          icon={<SearchIcon />}
          title={`No apps match “${query}”`}
          actions={
            <Link href={pathname} className={buttonClasses({ variant: "secondary" })}>
              Clear search
            </Link>
          }
        >
          Search looks at app names.
        </EmptyState>
      ) : (
        <ul aria-label={team ? `Apps of ${team}` : "Your apps"} className="divide-y divide-border">
          {shown.map((app) => (
            <li key={app.id}>
              <Link
                href={`/apps/${app.name}`}
                className="group grid grid-cols-1 gap-1 px-4 py-3.5 hover:bg-surface-muted focus-visible:-outline-offset-2 sm:px-5 md:grid-cols-[minmax(0,2fr)_minmax(0,1.4fr)_6rem_9rem] md:items-center md:gap-4"
              >
                <span className="flex min-w-0 items-center gap-2.5">
                  <span className="flex size-8 shrink-0 items-center justify-center rounded-md bg-accent-soft text-link" aria-hidden="true">
                    <BoxIcon />
                  </span>
                  <span className="truncate font-medium text-link group-hover:underline">{app.name}</span>
                </span>
                <span className="flex flex-wrap items-center gap-x-3 gap-y-0.5 pl-10.5 text-sm text-muted md:contents">
                  <span className="flex min-w-0 items-center gap-1.5">
                    {app.team ? <UsersIcon className="shrink-0" /> : <UserIcon className="shrink-0" />}
                    <span className="truncate">{app.team?.name ?? app.owner?.email ?? "—"}</span>
                  </span>
                  <span>
                    <span className="md:sr-only">Region: </span>
                    {app.region}
                  </span>
                  <span className="md:text-right">
                    {app.releasedAt ? (
                      <>
                        <span className="md:sr-only">Released </span>
                        <RelativeTime date={app.releasedAt} />
                      </>
                    ) : (
                      "Never released"
                    )}
                  </span>
                </span>
              </Link>
            </li>
          ))}
        </ul>
      )}
      {list.hasNextPage && (
        <div className="flex justify-center border-t border-border px-4 py-3">
          <Button variant="secondary" onClick={() => void list.fetchNextPage()} isPending={list.isFetchingNextPage}>
            Load more
          </Button>
        </div>
      )}
    </Card>
  );
}
