"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { deniedReason } from "@/components/app-permissions";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import type { AppDetails } from "./types";

/**
 * Heroku's maintenance mode: the router answers every request with a 503 maintenance page
 * (H80) while the dynos keep running. No confirmation, as on Heroku: it is one click back.
 */
export function MaintenanceCard({ app }: { app: AppDetails }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const setMaintenance = useMutation(trpc.domains.setMaintenance.mutationOptions());
  // Where the switch is going while the change is saved; null shows the app's true state.
  const [target, setTarget] = useState<boolean | null>(null);
  const [error, setError] = useState<string | null>(null);
  const isOn = target ?? app.maintenance;
  const reason = deniedReason(app.permissions, "app:maintenance");
  const appQueryKey = trpc.apps.get.queryKey({ app: app.name });

  async function change(next: boolean) {
    setTarget(next);
    setError(null);
    try {
      const updated = await setMaintenance.mutateAsync({ app: app.name, maintenance: next });
      // A read of the app that started before the change (a refresh after the domain list
      // changed, say) would land after it and turn the switch back: drop it first.
      await queryClient.cancelQueries({ queryKey: appQueryKey });
      queryClient.setQueryData(appQueryKey, (old) => (old ? { ...old, maintenance: updated.maintenance } : old));
      toast.success(
        updated.maintenance ? "Maintenance mode on" : "Maintenance mode off",
        updated.maintenance ? "Visitors now see the maintenance page." : `${app.name} serves requests again.`,
      );
    } catch (err) {
      setError(`Couldn't turn maintenance mode ${next ? "on" : "off"}: ${messageOf(err)}`);
      // Someone else may have changed it meanwhile; show what the server holds.
      void queryClient.invalidateQueries({ queryKey: appQueryKey });
    } finally {
      setTarget(null);
    }
  }

  return (
    <Card id="maintenance" aria-labelledby="maintenance-title" className="scroll-mt-24">
      <CardHeader
        titleId="maintenance-title"
        title="Maintenance mode"
        description="While it is on, visitors see a maintenance page (HTTP 503) instead of your app. Dynos keep running, so workers and one-off dynos are unaffected."
      />
      <CardContent className="space-y-3">
        <div className="flex flex-wrap items-center justify-between gap-x-4 gap-y-3">
          <div className="flex min-w-0 items-center gap-3">
            <Switch
              id="maintenance-switch"
              aria-describedby={error ? "maintenance-error" : undefined}
              checked={isOn}
              onCheckedChange={change}
              isPending={target !== null}
              disabled={!!reason}
              title={reason ?? undefined}
            />
            <label htmlFor="maintenance-switch" className="text-sm font-medium text-fg">
              Maintenance mode
            </label>
            <Badge tone={isOn ? "warning" : "neutral"} aria-hidden="true">
              {target !== null ? (target ? "Turning on…" : "Turning off…") : isOn ? "On" : "Off"}
            </Badge>
          </div>
          {reason && <p className="text-sm text-muted">{reason}</p>}
        </div>
        {app.maintenance && target === null && (
          <p className="rounded-md border border-warning/30 bg-warning-soft px-3 py-2 text-sm text-warning">
            <span className="font-semibold">Your app is in maintenance mode.</span>{" "}
            <span className="break-all">{app.webUrl}</span> and its custom domains answer 503.
          </p>
        )}
        <FieldError id="maintenance-error" message={error} />
      </CardContent>
    </Card>
  );
}
