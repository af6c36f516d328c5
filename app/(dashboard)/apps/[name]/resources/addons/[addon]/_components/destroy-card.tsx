"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import type { Addon } from "@/components/addons/types";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogTrigger } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { useToast } from "@/components/ui/toast";

/** Destroying removes its data for good, so its name must be typed (from its billing app). */
export function DestroyCard({ appName, addon, isBilling }: { appName: string; addon: Addon; isBilling: boolean }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [isOpen, setIsOpen] = useState(false);
  const [confirm, setConfirm] = useState("");
  const destroy = useMutation(
    trpc.addons.destroy.mutationOptions({
      onSuccess: async () => {
        toast.success(`Destroyed ${addon.name}`);
        await queryClient.invalidateQueries({ queryKey: trpc.addons.list.queryKey({ app: appName }) });
        router.push(`/apps/${appName}/resources`);
      },
    }),
  );

  function onOpenChange(open: boolean) {
    setIsOpen(open);
    if (!open) {
      setConfirm("");
      destroy.reset();
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    destroy.mutate({ app: appName, addon: addon.name, confirm });
  }

  const confirmError = errorFor(destroy.error, "confirm");
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
          <Dialog open={isOpen} onOpenChange={onOpenChange}>
            <DialogTrigger asChild>
              <Button variant="danger-outline">Destroy add-on…</Button>
            </DialogTrigger>
            <DialogContent title={`Destroy ${addon.name}?`} description="Its data and backups are deleted for good.">
              <form onSubmit={onSubmit} noValidate className="space-y-2">
                <Label htmlFor="destroy-addon-confirm">
                  Type <span className="font-mono font-semibold">{addon.name}</span> to confirm
                </Label>
                <Input
                  id="destroy-addon-confirm"
                  value={confirm}
                  onChange={(e) => setConfirm(e.target.value)}
                  autoComplete="off"
                  spellCheck={false}
                  aria-invalid={confirmError ? true : undefined}
                  aria-describedby={confirmError ? "destroy-addon-confirm-error" : undefined}
                />
                <FieldError id="destroy-addon-confirm-error" message={confirmError ?? formErrorOf(destroy.error, ["confirm"])} />
                <DialogFooter>
                  <DialogClose asChild>
                    <Button variant="ghost">Cancel</Button>
                  </DialogClose>
                  <Button type="submit" variant="danger" isPending={destroy.isPending} disabled={confirm !== addon.name}>
                    {destroy.isPending ? "Destroying…" : "Destroy add-on"}
                  </Button>
                </DialogFooter>
              </form>
            </DialogContent>
          </Dialog>
        ) : (
          <p className="text-sm text-muted">It belongs to {addon.app.name}: destroy it from there.</p>
        )}
      </CardContent>
    </Card>
  );
}
