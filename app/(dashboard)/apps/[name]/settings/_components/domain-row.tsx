"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogClose, DialogContent, DialogFooter } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";
import { TrashIcon } from "@/components/ui/icons";
import { useToast } from "@/components/ui/toast";

export function DomainRow({ appName, hostname, dnsTarget, canRemove }: { appName: string; hostname: string; dnsTarget: string; canRemove: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [isConfirming, setIsConfirming] = useState(false);
  const remove = useMutation(
    trpc.domains.remove.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.domains.list.queryKey({ app: appName }) });
        setIsConfirming(false);
        toast.success(`Removed ${hostname}`, "You can delete its DNS record now.");
      },
    }),
  );

  function onOpenChange(open: boolean) {
    if (remove.isPending) return;
    setIsConfirming(open);
    if (!open) remove.reset();
  }

  return (
    <li aria-label={hostname} className="px-4 py-3 sm:px-5">
      <div className="grid grid-cols-[minmax(0,1fr)_auto] items-center gap-x-3 gap-y-1 md:grid-cols-[minmax(0,1fr)_minmax(0,1fr)_6.5rem]">
        <span className="col-start-1 row-start-1 font-mono text-sm font-medium break-all text-fg">{hostname}</span>
        <div className="col-span-2 row-start-2 flex min-w-0 items-center gap-1.5 md:col-span-1 md:col-start-2 md:row-start-1">
          <span className="shrink-0 text-xs font-medium text-muted md:sr-only">
            CNAME<span aria-hidden="true"> →</span>
          </span>
          <code className="min-w-0 font-mono text-sm break-all text-muted">{dnsTarget}</code>
          <CopyButton value={dnsTarget} label={`DNS target for ${hostname}`} showText={false} variant="ghost" />
        </div>
        {canRemove && (
          <div className="col-start-2 row-start-1 flex justify-end md:col-start-3">
            <Button variant="ghost" size="sm" aria-label={`Remove ${hostname}`} className="hover:text-danger" onClick={() => onOpenChange(true)}>
              <TrashIcon />
              <span className="hidden sm:inline">Remove</span>
            </Button>
          </div>
        )}
      </div>
      <Dialog open={isConfirming} onOpenChange={onOpenChange}>
        <DialogContent
          title={`Remove ${hostname}?`}
          description={`Requests for ${hostname} stop reaching ${appName} at once. Its DNS record is yours to delete.`}
        >
          <FieldError message={remove.error ? messageOf(remove.error) : null} />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="ghost" disabled={remove.isPending}>
                Cancel
              </Button>
            </DialogClose>
            <Button variant="danger" isPending={remove.isPending} onClick={() => remove.mutate({ app: appName, hostname })}>
              Remove domain
            </Button>
          </DialogFooter>
        </DialogContent>
      </Dialog>
    </li>
  );
}
