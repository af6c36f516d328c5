"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Card, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { RelativeTime } from "@/components/ui/relative-time";
import { useToast } from "@/components/ui/toast";

/** Apps other people offered to the signed-in user (Heroku's app transfers), to accept or decline. */
export function IncomingTransfers() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const transfers = useQuery(trpc.access.transfers.queryOptions());
  const respond = useMutation(
    trpc.access.respond.mutationOptions({
      onSuccess: (t) => toast.success(t.state === "accepted" ? `${t.app.name} is yours now` : `Declined ${t.app.name}`),
      onSettled: () => queryClient.invalidateQueries(),
    }),
  );
  const incoming = transfers.data?.incoming ?? [];
  if (incoming.length === 0) return null;
  return (
    <Card aria-labelledby="incoming-transfers-title" className="mb-6 border-warning/40">
      <CardHeader titleId="incoming-transfers-title" title="Apps offered to you" description="Accepting makes you the app's owner; its add-ons and domains come with it." />
      <ul aria-label="Apps offered to you" className="divide-y divide-border">
        {incoming.map((t) => (
          <li key={t.id} aria-label={`Transfer of ${t.app.name}`} className="flex flex-wrap items-center justify-between gap-2 px-4 py-3 text-sm sm:px-5">
            <span className="min-w-0 text-fg">
              <span className="font-mono font-medium">{t.app.name}</span> from <span className="break-all">{t.sender.email}</span>{" "}
              <span className="text-muted">
                <RelativeTime date={t.createdAt} />
              </span>
            </span>
            <span className="flex gap-2">
              <Button variant="ghost" size="sm" disabled={respond.isPending} onClick={() => respond.mutate({ transfer: t.id, state: "declined" })}>
                Decline
              </Button>
              <Button size="sm" isPending={respond.isPending && respond.variables?.transfer === t.id && respond.variables.state === "accepted"} disabled={respond.isPending} onClick={() => respond.mutate({ transfer: t.id, state: "accepted" })}>
                Accept
              </Button>
            </span>
          </li>
        ))}
      </ul>
      <FieldError message={respond.error ? messageOf(respond.error) : null} />
    </Card>
  );
}
