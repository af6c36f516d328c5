"use client";

import { messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Card, CardContent } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { RestartIcon } from "@/components/ui/icons";
import { DynoRow } from "./dyno-row";
import { ScaleControls } from "./scale-controls";
import type { Dyno, DynoSize, FormationEntry } from "./types";
import { useDynoActions } from "./use-dyno-actions";
import { useAppPermissions } from "@/components/use-app-permissions";

/** A process type (web, worker…): its command, its scale controls, and its dynos converging below. */
export function ProcessCard({ appName, entry, sizes, dynos }: { appName: string; entry: FormationEntry; sizes: readonly DynoSize[]; dynos: Dyno[] }) {
  const restartReason = useAppPermissions(appName).denied("dynos:restart");
  const { restart } = useDynoActions(appName);
  const titleId = `process-${entry.type}`;
  const upCount = dynos.filter((d) => d.state === "up").length;
  // formation.list carries only a command override; the release's Procfile command is on the dynos.
  const command = entry.command ?? dynos.find((d) => d.command)?.command ?? null;

  return (
    <Card aria-labelledby={titleId}>
      <div className="flex items-start justify-between gap-3 border-b border-border px-4 py-3.5 sm:px-5">
        <div className="min-w-0 flex-1 space-y-1">
          <div className="flex flex-wrap items-baseline gap-x-3 gap-y-0.5">
            <h3 id={titleId} className="font-mono text-base font-semibold text-fg">
              {entry.type}
            </h3>
            <span className="text-sm text-muted tabular-nums">
              {entry.quantity === 0 ? "scaled to 0" : `${upCount} of ${entry.quantity} up`}
            </span>
          </div>
          {command ? (
            <code className="block truncate font-mono text-[13px] text-muted" title={command}>
              {command}
            </code>
          ) : (
            <p className="text-[13px] text-muted">Command from the current release&apos;s Procfile</p>
          )}
        </div>
        <Button
          variant="secondary"
          size="sm"
          aria-label={`Restart all ${entry.type} dynos`}
          isPending={restart.isPending}
          disabled={dynos.length === 0 || !!restartReason}
          title={restartReason ?? undefined}
          onClick={() => restart.mutate({ app: appName, type: entry.type })}
        >
          {!restart.isPending && <RestartIcon />}
          <span className="hidden sm:inline">Restart all</span>
        </Button>
      </div>
      <CardContent>
        <ScaleControls appName={appName} entry={entry} sizes={sizes} />
        <FieldError className="mt-2" message={restart.error ? `Couldn't restart ${entry.type} dynos: ${messageOf(restart.error)}` : null} />
      </CardContent>
      {dynos.length > 0 ? (
        <ul aria-label={`${entry.type} dynos`} className="divide-y divide-border border-t border-border">
          {dynos.map((d) => (
            <DynoRow key={d.id} appName={appName} dyno={d} />
          ))}
        </ul>
      ) : (
        <p className="border-t border-border px-4 py-3 text-sm text-muted sm:px-5">
          {entry.quantity === 0 ? `No ${entry.type} dynos. Move the slider to start some.` : "Waiting for the dyno manager to start dynos…"}
        </p>
      )}
    </Card>
  );
}
