"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Badge } from "@/components/ui/badge";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { RelativeTime } from "@/components/ui/relative-time";
import { LoadingRows } from "@/components/ui/skeleton";
import { useToast } from "@/components/ui/toast";
import { ConfirmAction } from "./confirm-action";

type Invitation = { id: string; email: string; role: string; expiresAt: Date; invitedBy: { email: string } | null };

function InvitationRow({ team, invitation }: { team: string; invitation: Invitation }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const revoke = useMutation(
    trpc.teams.invitations.revoke.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.teams.invitations.list.queryKey({ team }) });
        toast.success(`Revoked the invitation of ${invitation.email}`);
      },
    }),
  );
  return (
    <li className="flex flex-wrap items-center justify-between gap-x-4 gap-y-2 px-4 py-3 sm:px-5" aria-label={invitation.email}>
      <div className="min-w-0">
        <p className="truncate text-sm font-medium text-fg">{invitation.email}</p>
        <p className="text-sm text-muted">
          Expires <RelativeTime date={invitation.expiresAt} />
          {invitation.invitedBy && <> · invited by {invitation.invitedBy.email}</>}
        </p>
      </div>
      <div className="flex items-center gap-2">
        <Badge tone="warning">{invitation.role} · pending</Badge>
        <ConfirmAction
          trigger="Revoke"
          triggerLabel={`Revoke the invitation of ${invitation.email}`}
          title={`Revoke the invitation of ${invitation.email}?`}
          description="The link stops working at once."
          action="Revoke invitation"
          isPending={revoke.isPending}
          error={revoke.error}
          onConfirm={() => revoke.mutateAsync({ team, invitation: invitation.id })}
          onClose={() => revoke.reset()}
        />
      </div>
    </li>
  );
}

/** Pending invitations (admins only: the server refuses the list to others). */
export function InvitationsCard({ team }: { team: string }) {
  const trpc = useTRPC();
  const invitations = useQuery(trpc.teams.invitations.list.queryOptions({ team }));
  return (
    <Card aria-labelledby="invitations-title">
      <CardHeader titleId="invitations-title" title="Pending invitations" description="Links you handed out that nobody has used yet. Each expires after 7 days." />
      {invitations.isPending ? (
        <LoadingRows label="Loading invitations" rows={1} />
      ) : invitations.isError ? (
        <CardContent>
          <FieldError message={`Couldn't load invitations: ${messageOf(invitations.error)}`} />
        </CardContent>
      ) : invitations.data.length === 0 ? (
        <CardContent>
          <p className="text-sm text-muted">No pending invitations.</p>
        </CardContent>
      ) : (
        <ul className="divide-y divide-border" aria-label="Pending invitations">
          {invitations.data.map((i) => (
            <InvitationRow key={i.id} team={team} invitation={i} />
          ))}
        </ul>
      )}
    </Card>
  );
}
