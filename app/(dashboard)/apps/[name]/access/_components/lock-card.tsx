"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { deniedReason } from "@/components/app-permissions";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { Switch } from "@/components/ui/switch";
import { useToast } from "@/components/ui/toast";
import type { AccessDetails } from "./types";

/** `heroku apps:lock`: a locked team app is only for admins and those granted access here. */
export function LockCard({ access }: { access: AccessDetails }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const { app } = access;
  const reason = deniedReason(access.viewer.permissions, "app:lock");
  const lock = useMutation(
    trpc.access.lock.mutationOptions({
      onSuccess: (result) => toast.success(result.locked ? `Locked ${app.name}` : `Unlocked ${app.name}`),
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.access.list.queryKey({ app: app.name }) }),
    }),
  );
  const isOn = lock.isPending ? !!lock.variables?.locked : app.locked;

  return (
    <Card id="lock" aria-labelledby="lock-title" className="scroll-mt-24">
      <CardHeader
        titleId="lock-title"
        title="Lock app"
        description={`Members of ${app.team?.name} without a grant of their own lose access to a locked app and cannot join it; admins and people listed with a grant keep theirs.`}
      />
      <CardContent className="space-y-2">
        <div className="flex flex-wrap items-center gap-3" title={reason ?? undefined}>
          <Switch id="lock-switch" checked={isOn} isPending={lock.isPending} disabled={!!reason} onCheckedChange={(locked) => lock.mutate({ app: app.name, locked })} />
          <label htmlFor="lock-switch" className="text-sm font-medium text-fg">
            Locked
          </label>
          <Badge tone={isOn ? "warning" : "neutral"} aria-hidden="true">
            {isOn ? "Locked" : "Open to members"}
          </Badge>
        </div>
        {reason && <p className="text-sm text-muted">{reason}</p>}
        <FieldError message={lock.error ? `Couldn't change the lock: ${messageOf(lock.error)}` : null} />
      </CardContent>
    </Card>
  );
}
