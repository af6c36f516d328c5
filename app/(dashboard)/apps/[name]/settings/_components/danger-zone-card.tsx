"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogTrigger } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { useToast } from "@/components/ui/toast";
import type { AppDetails } from "./types";

export function DangerZoneCard({ app }: { app: AppDetails }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [isOpen, setIsOpen] = useState(false);
  const [confirm, setConfirm] = useState("");
  const destroy = useMutation(
    trpc.apps.destroy.mutationOptions({
      onSuccess: async () => {
        await queryClient.invalidateQueries({ queryKey: trpc.apps.list.queryKey() });
        toast.success(`Deleted ${app.name}`);
        router.push(app.team ? `/teams/${app.team.name}` : "/apps");
        queryClient.removeQueries({ queryKey: trpc.apps.get.queryKey({ app: app.name }) });
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
    destroy.mutate({ app: app.name, confirm });
  }

  const confirmError = errorFor(destroy.error, "confirm");
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
        {app.isOwner ? (
          <Dialog open={isOpen} onOpenChange={onOpenChange}>
            <DialogTrigger asChild>
              <Button variant="danger-outline">Delete app…</Button>
            </DialogTrigger>
            <DialogContent
              title={`Delete ${app.name}?`}
              description="The app, its config vars and its releases are deleted for good."
            >
              <form onSubmit={onSubmit} noValidate className="space-y-2">
                <Label htmlFor="delete-confirm">
                  Type <span className="font-mono font-semibold">{app.name}</span> to confirm
                </Label>
                <Input
                  id="delete-confirm"
                  value={confirm}
                  onChange={(e) => setConfirm(e.target.value)}
                  autoComplete="off"
                  spellCheck={false}
                  aria-invalid={confirmError ? true : undefined}
                  aria-describedby={confirmError ? "delete-confirm-error" : undefined}
                />
                <FieldError id="delete-confirm-error" message={confirmError ?? formErrorOf(destroy.error, ["confirm"])} />
                <DialogFooter>
                  <DialogClose asChild>
                    <Button variant="ghost">Cancel</Button>
                  </DialogClose>
                  <Button type="submit" variant="danger" isPending={destroy.isPending} disabled={confirm !== app.name}>
                    {destroy.isPending ? "Deleting…" : "Delete app"}
                  </Button>
                </DialogFooter>
              </form>
            </DialogContent>
          </Dialog>
        ) : (
          <p className="text-sm text-muted">Only the app&apos;s owner or a team admin can delete it.</p>
        )}
      </CardContent>
    </Card>
  );
}
