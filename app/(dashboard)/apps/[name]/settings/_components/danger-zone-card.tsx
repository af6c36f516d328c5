"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ConfirmByNameDialog } from "@/components/confirm-by-name-dialog";
import { deniedReason } from "@/components/app-permissions";
import { useTRPC } from "@/components/trpc-provider";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { useToast } from "@/components/ui/toast";
import type { AppDetails } from "./types";

export function DangerZoneCard({ app }: { app: AppDetails }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  const destroy = useMutation(
    trpc.apps.destroy.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.apps.list.pathKey() });
        toast.success(`Deleted ${app.name}`);
        router.push(app.team ? `/teams/${app.team.name}` : "/apps");
        queryClient.removeQueries({ queryKey: trpc.apps.get.queryKey({ app: app.name }) });
      },
    }),
  );

  return (
    <Card tone="danger" aria-labelledby="danger-title">
      <CardHeader titleId="danger-title" title={<span className="text-danger">Danger zone</span>} />
      <CardContent className="flex flex-wrap items-center justify-between gap-4">
        <div className="min-w-0 max-w-xl">
          <p className="text-sm font-medium text-fg">Delete this app</p>
          <p className="text-sm text-muted">
            Deletes the app, its config vars and its release history. This can&apos;t be undone.
          </p>
        </div>
        {!deniedReason(app.permissions, "app:destroy") ? (
          <ConfirmByNameDialog
            name={app.name}
            id="delete"
            trigger="Delete app…"
            title={`Delete ${app.name}?`}
            description="The app, its config vars and its releases are deleted for good."
            action="Delete app"
            pendingAction="Deleting…"
            isPending={destroy.isPending}
            error={destroy.error}
            onConfirm={(confirm) => destroy.mutate({ app: app.name, confirm })}
            onClose={() => destroy.reset()}
          />
        ) : (
          <p className="text-sm text-muted">{deniedReason(app.permissions, "app:destroy")}</p>
        )}
      </CardContent>
    </Card>
  );
}
