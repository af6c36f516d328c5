"use client";

import { messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { DropdownMenu, DropdownMenuContent, DropdownMenuItem, DropdownMenuTrigger } from "@/components/ui/dropdown-menu";
import { FieldError } from "@/components/ui/field-error";
import { MoreIcon, RestartIcon, StopIcon } from "@/components/ui/icons";
import { RelativeTime } from "@/components/ui/relative-time";
import { DynoStateBadge } from "./dyno-state-badge";
import type { Dyno } from "./types";
import { useDynoActions } from "./use-dyno-actions";
import { useAppPermissions } from "@/components/use-app-permissions";

/** One dyno: name, state, release and since when, with Restart / Stop in its menu. */
export function DynoRow({ appName, dyno, showCommand = false }: { appName: string; dyno: Dyno; showCommand?: boolean }) {
  const { denied } = useAppPermissions(appName);
  const { restart, stop } = useDynoActions(appName);
  const isOneOff = dyno.type === "run";
  const error = restart.error ?? stop.error;
  const isBusy = restart.isPending || stop.isPending;

  return (
    <li aria-label={dyno.name} className="px-4 py-2.5 sm:px-5">
      <div className="flex items-center gap-3">
        <div className="flex min-w-0 flex-1 flex-wrap items-center gap-x-3 gap-y-1">
          <span className="max-w-full shrink-0 truncate font-mono text-sm font-medium text-fg sm:w-24" title={dyno.name}>
            {dyno.name}
          </span>
          <DynoStateBadge state={dyno.state} />
          <p className="w-full min-w-0 truncate text-sm text-muted sm:w-auto sm:flex-1">
            {dyno.release && <span className="font-mono">v{dyno.release.version}</span>}
            {dyno.release && <span aria-hidden="true"> · </span>}
            {dyno.state === "crashed" && dyno.exitCode !== null ? `exited ${dyno.exitCode} · ` : ""}
            since <RelativeTime date={dyno.updatedAt} />
            {dyno.node && (
              <>
                {" · on "}
                <span className="font-mono" title="The node this dyno runs on">
                  {dyno.node}
                </span>
              </>
            )}
            {dyno.restartCount > 0 && <> · {dyno.restartCount} restarts</>}
            {showCommand && dyno.command && <span className="font-mono"> · {dyno.command}</span>}
          </p>
        </div>
        <DropdownMenu>
          <DropdownMenuTrigger asChild>
            <Button variant="ghost" size="sm" aria-label={`Actions for ${dyno.name}`} isPending={isBusy}>
              {!isBusy && <MoreIcon />}
            </Button>
          </DropdownMenuTrigger>
          <DropdownMenuContent align="end" className="min-w-[10rem]">
            {!isOneOff && (
              <DropdownMenuItem disabled={!!denied("dynos:restart")} title={denied("dynos:restart") ?? undefined} onSelect={() => restart.mutate({ app: appName, dyno: dyno.name })}>
                <RestartIcon /> Restart
              </DropdownMenuItem>
            )}
            <DropdownMenuItem disabled={!!denied("dynos:stop")} title={denied("dynos:stop") ?? undefined} onSelect={() => stop.mutate({ app: appName, dyno: dyno.name })}>
              <StopIcon /> Stop
            </DropdownMenuItem>
          </DropdownMenuContent>
        </DropdownMenu>
      </div>
      <FieldError className="mt-1.5" message={error ? `Couldn't ${restart.error ? "restart" : "stop"} ${dyno.name}: ${messageOf(error)}` : null} />
    </li>
  );
}
