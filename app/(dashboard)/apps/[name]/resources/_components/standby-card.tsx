"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { fieldErrorsOf, messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { Input } from "@/components/ui/input";
import { useAppPermissions } from "@/components/use-app-permissions";
import { formatMemory } from "./format";

/** Filling or emptying: look again soon; settled: now and then (its memory moves slowly). */
const BUSY_POLL_MS = 2_000;
const IDLE_POLL_MS = 15_000;

/**
 * The standby pool (issue 18): web dynos of the current release booted and frozen, so a
 * scale-up gets them in milliseconds. Its size, how many are ready, the memory they hold.
 */
export function StandbyCard({ appName }: { appName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const pool = useQuery({
    ...trpc.formation.standby.queryOptions({ app: appName }),
    refetchInterval: (q) => (q.state.data && (q.state.data.preparing > 0 || q.state.data.ready !== q.state.data.size) ? BUSY_POLL_MS : IDLE_POLL_MS),
  });
  const [draft, setDraft] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const denied = useAppPermissions(appName).denied("formation:scale");
  const save = useMutation(
    trpc.formation.setStandby.mutationOptions({
      onSuccess: (view) => {
        queryClient.setQueryData(trpc.formation.standby.queryKey({ app: appName }), view);
        setDraft(null);
      },
      onError: (err) => setError(fieldErrorsOf(err).size || messageOf(err) || "Couldn't change the standby pool."),
    }),
  );

  if (!pool.data) {
    return pool.isError ? <FieldError message={`Couldn't load the standby pool: ${messageOf(pool.error)}`} /> : null;
  }
  const view = pool.data;
  const shown = draft ?? String(view.size);
  const next = Number(shown);
  const isValid = Number.isInteger(next) && next >= 0 && next <= view.max;
  const isDirty = draft !== null && next !== view.size;

  return (
    <Card aria-labelledby="standby-title">
      <CardHeader
        titleId="standby-title"
        title="Standby web dynos"
        description="Booted dynos of the current release, held paused and promoted at once when web scales up. They take no traffic and are not in the formation until then."
      />
      <CardContent className="space-y-3">
        <form
          className="flex flex-wrap items-center gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            if (!isValid || !isDirty) return;
            setError(null);
            save.mutate({ app: appName, size: next });
          }}
        >
          <label htmlFor="standby-size" className="text-sm text-fg">
            Pool size
          </label>
          <div className="w-20">
            <Input
              id="standby-size"
              type="number"
              inputMode="numeric"
              min={0}
              max={view.max}
              value={shown}
              aria-invalid={!isValid}
              disabled={!!denied || save.isPending}
              title={denied ?? undefined}
              onChange={(e) => {
                setError(null);
                setDraft(e.target.value);
              }}
            />
          </div>
          {isDirty && (
            <>
              <Button type="submit" isPending={save.isPending} disabled={!isValid}>
                Save
              </Button>
              <Button type="button" variant="ghost" onClick={() => setDraft(null)} disabled={save.isPending}>
                Cancel
              </Button>
            </>
          )}
        </form>
        <p className="text-sm text-muted" aria-live="polite">
          {describePool(view)}
        </p>
        <FieldError message={error ?? (!isValid ? `0 to ${view.max}.` : null)} />
      </CardContent>
    </Card>
  );
}

function describePool(view: { size: number; ready: number; preparing: number; memoryBytes: number | null; supported: boolean }): string {
  if (!view.supported) return "This installation's runtime (swarm) has no standby pool: the setting is kept but not used.";
  if (view.size === 0 && view.ready + view.preparing === 0) return "No standby dynos (default): a scale-up starts new dynos.";
  const memory = view.memoryBytes === null ? "memory not reported" : `holding ${formatMemory(Math.round(view.memoryBytes / (1024 * 1024)))} of memory`;
  const preparing = view.preparing ? `, ${view.preparing} booting` : "";
  return `${view.ready} of ${view.size} ready${preparing} · ${memory}`;
}
