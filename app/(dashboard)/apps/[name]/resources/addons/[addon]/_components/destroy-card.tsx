"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { Addon } from "@/components/addons/types";
import { ConfirmByNameDialog } from "@/components/confirm-by-name-dialog";
import { useTRPC } from "@/components/trpc-provider";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { useToast } from "@/components/ui/toast";

/** Destroying removes its data for good, so its name must be typed (from its billing app). */
export function DestroyCard({ appName, addon, isBilling }: { appName: string; addon: Addon; isBilling: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  const destroy = useMutation(
    trpc.addons.destroy.mutationOptions({
      onSuccess: async () => {
        toast.success(`Destroyed ${addon.name}`);
        await queryClient.invalidateQueries({ queryKey: trpc.addons.list.queryKey({ app: appName }) });
        router.push(`/apps/${appName}/resources`);
      },
    }),
  );

  return (
    <Card tone="danger" aria-labelledby="addon-danger-title">
      <CardHeader titleId="addon-danger-title" title={<span className="text-danger">Danger zone</span>} />
      <CardContent className="flex flex-wrap items-center justify-between gap-4">
        <div className="min-w-0 max-w-xl">
          <p className="text-sm font-medium text-fg">Destroy this add-on</p>
          <p className="text-sm text-muted">
            Every attached app loses its config var (a new release each); the container, its data volume and its backups are deleted.
          </p>
        </div>
        {isBilling ? (
          <ConfirmByNameDialog
            name={addon.name}
            id="destroy-addon"
            trigger="Destroy add-on…"
            title={`Destroy ${addon.name}?`}
            description="Its data and backups are deleted for good."
            action="Destroy add-on"
            pendingAction="Destroying…"
            isPending={destroy.isPending}
            error={destroy.error}
            onConfirm={(confirm) => destroy.mutate({ app: appName, addon: addon.name, confirm })}
            onClose={() => destroy.reset()}
          />
        ) : (
          <p className="text-sm text-muted">It belongs to {addon.app.name}: destroy it from there.</p>
        )}
      </CardContent>
    </Card>
  );
}
