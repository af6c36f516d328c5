"use client";

import { useQuery } from "@tanstack/react-query";
import Link from "next/link";
import { usePathname, useSearchParams } from "next/navigation";
import { useTRPC } from "@/components/trpc-provider";
import { cn } from "@/components/ui/cn";
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@/components/ui/dropdown-menu";
import { CheckIcon, ChevronDownIcon, PlusIcon, UserIcon, UsersIcon } from "@/components/ui/icons";

const RESERVED_TEAM_PATHS = new Set(["new"]);

/**
 * Which account the page belongs to: a team (/teams/<team>/*, /apps/new?team=<team>, or
 * the open app's team) or personal.
 */
function useCurrentTeam(): string | null {
  const pathname = usePathname();
  const searchParams = useSearchParams();
  const trpc = useTRPC();
  const teamMatch = pathname.match(/^\/teams\/([^/]+)/);
  const appMatch = pathname.match(/^\/apps\/([^/]+)/);
  const appName = appMatch && appMatch[1] !== "new" ? decodeURIComponent(appMatch[1]!) : null;
  // Shares the cache entry the app pages use, so this costs no extra request there.
  const app = useQuery({ ...trpc.apps.get.queryOptions({ app: appName ?? "" }), enabled: appName !== null });
  if (teamMatch && !RESERVED_TEAM_PATHS.has(teamMatch[1]!)) return decodeURIComponent(teamMatch[1]!);
  if (pathname === "/apps/new") return searchParams.get("team") || null;
  if (appName) return app.data?.team?.name ?? null;
  return null;
}

export function ContextSwitcher({ email }: { email: string }) {
  const trpc = useTRPC();
  const teams = useQuery(trpc.teams.list.queryOptions());
  const currentTeam = useCurrentTeam();

  return (
    <DropdownMenu>
      <DropdownMenuTrigger
        className={cn(
          "inline-flex h-9 max-w-full items-center gap-2 rounded-md px-2.5 text-sm font-medium text-fg",
          "hover:bg-surface-muted focus-visible:outline-2 focus-visible:outline-ring data-[state=open]:bg-surface-muted",
        )}
        aria-label={`Switch account or team. Current: ${currentTeam ?? "Personal"}`}
      >
        {currentTeam ? <UsersIcon className="shrink-0 text-muted" /> : <UserIcon className="shrink-0 text-muted" />}
        <span className="truncate">{currentTeam ?? "Personal"}</span>
        <ChevronDownIcon className="shrink-0 text-muted" />
      </DropdownMenuTrigger>
      <DropdownMenuContent className="w-72">
        <DropdownMenuLabel>Personal</DropdownMenuLabel>
        <DropdownMenuItem asChild>
          <Link href="/apps">
            <UserIcon />
            <span className="min-w-0 flex-1 truncate">{email}</span>
            {!currentTeam && <CheckIcon className="text-link!" aria-label="current" />}
          </Link>
        </DropdownMenuItem>
        <DropdownMenuSeparator />
        <DropdownMenuLabel>Teams</DropdownMenuLabel>
        {teams.isPending && <p className="px-2.5 py-2 text-sm text-muted">Loading teams…</p>}
        {teams.isError && <p className="px-2.5 py-2 text-sm text-danger">Couldn't load teams.</p>}
        {teams.data?.length === 0 && <p className="px-2.5 py-2 text-sm text-muted">You're not in any team yet.</p>}
        {teams.data?.map((team) => (
          <DropdownMenuItem key={team.id} asChild>
            <Link href={`/teams/${encodeURIComponent(team.name)}`}>
              <UsersIcon />
              <span className="min-w-0 flex-1 truncate">{team.name}</span>
              {currentTeam === team.name && <CheckIcon className="text-link!" aria-label="current" />}
            </Link>
          </DropdownMenuItem>
        ))}
        <DropdownMenuSeparator />
        <DropdownMenuItem asChild>
          <Link href="/teams/new">
            <PlusIcon />
            Create team
          </Link>
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
