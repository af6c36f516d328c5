"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { FieldError } from "@/components/ui/field-error";
import { RelativeTime } from "@/components/ui/relative-time";
import type { AccessDetails } from "./types";

/** Offers of this app still waiting for their recipient; the sender may withdraw them. */
export function PendingTransfers({ appName, transfers }: { appName: string; transfers: AccessDetails["pendingTransfers"] }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const withdraw = useMutation(
    trpc.access.respond.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.access.list.queryKey({ app: appName }) }),
    }),
  );
  if (transfers.length === 0) return null;
  return (
    <div className="border-b border-border">
    <ul aria-label="Pending transfers" className="divide-y divide-border">
      {transfers.map((t) => (
        <li key={t.id} className="flex flex-wrap items-center justify-between gap-2 bg-warning-soft px-4 py-3 text-sm sm:px-5">
          <span className="text-fg">
            Offered to <span className="font-medium break-all">{t.recipient.email}</span> <RelativeTime date={t.createdAt} />; waiting for them to accept.
          </span>
          <Button variant="ghost" size="sm" isPending={withdraw.isPending} onClick={() => withdraw.mutate({ transfer: t.id, state: "declined" })}>
            Withdraw
          </Button>
        </li>
      ))}
    </ul>
    <FieldError message={withdraw.error ? messageOf(withdraw.error) : null} />
    </div>
  );
}
