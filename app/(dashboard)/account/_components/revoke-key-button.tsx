"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogTrigger } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";
import { useToast } from "@/components/ui/toast";

export function RevokeKeyButton({ keyId, description, prefix }: { keyId: string; description: string; prefix: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [isOpen, setIsOpen] = useState(false);
  const revoke = useMutation(
    trpc.account.apiKeys.revoke.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.account.apiKeys.list.queryKey() });
        setIsOpen(false);
        toast.success(`Revoked “${description}”`);
      },
    }),
  );

  return (
    <Dialog
      open={isOpen}
      onOpenChange={(open) => {
        if (revoke.isPending) return;
        setIsOpen(open);
        if (!open) revoke.reset();
      }}
    >
      <DialogTrigger asChild>
        <Button variant="danger-outline" size="sm" aria-label={`Revoke ${description}`}>
          Revoke
        </Button>
      </DialogTrigger>
      <DialogContent
        title="Revoke this API key?"
        description={`“${description}” (${prefix}…) stops working at once. Scripts and CLIs using it will get “unauthorized”.`}
      >
        <FieldError message={revoke.error ? messageOf(revoke.error) : null} />
        <DialogFooter>
          <DialogClose asChild>
            <Button variant="ghost">Cancel</Button>
          </DialogClose>
          <Button variant="danger" isPending={revoke.isPending} onClick={() => revoke.mutate({ keyId })}>
            Revoke key
          </Button>
        </DialogFooter>
      </DialogContent>
    </Dialog>
  );
}
