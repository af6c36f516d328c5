"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { ConfirmByNameDialog } from "@/components/confirm-by-name-dialog";
import { useTRPC } from "@/components/trpc-provider";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { useToast } from "@/components/ui/toast";

export function DeleteTeamCard({ team, isAdmin, appCount }: { team: string; isAdmin: boolean; appCount: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  const destroy = useMutation(
    trpc.teams.settings.delete.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() });
        toast.success(`Deleted ${team}`);
        router.push("/apps");
      },
    }),
  );
  const reason = !isAdmin
    ? "Only team admins can delete the team."
    : appCount > 0
      ? `The team still owns ${appCount} app${appCount === 1 ? "" : "s"}: delete or transfer ${appCount === 1 ? "it" : "them"} first.`
      : null;

  return (
    <Card tone="danger" aria-labelledby="delete-team-title">
      <CardHeader titleId="delete-team-title" title={<span className="text-danger">Danger zone</span>} />
      <CardContent className="flex flex-wrap items-center justify-between gap-4">
        <div className="min-w-0 max-w-xl">
          <p className="text-sm font-medium text-fg">Delete this team</p>
          <p className="text-sm text-muted">{reason ?? "Removes every member and pending invitation. This can't be undone."}</p>
        </div>
        {reason ? (
          <span title={reason}>
            <Button variant="danger-outline" disabled aria-label={`Delete team… (${reason})`}>
              Delete team…
            </Button>
          </span>
        ) : (
          <ConfirmByNameDialog
            name={team}
            id="delete-team"
            trigger="Delete team…"
            title={`Delete ${team}?`}
            description="Its members lose access at once and its pending invitations stop working."
            action="Delete team"
            pendingAction="Deleting…"
            isPending={destroy.isPending}
            error={destroy.error}
            onConfirm={(confirm) => destroy.mutate({ team, confirm })}
            onClose={() => destroy.reset()}
          />
        )}
      </CardContent>
    </Card>
  );
}
