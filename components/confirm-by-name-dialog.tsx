"use client";

import { useState, type FormEvent } from "react";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogTrigger } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/field-error";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";

/**
 * Heroku's guard for what cannot be undone (deleting an app, destroying an add-on): the
 * action stays disabled until the thing's name is typed; the server checks it again and
 * its `confirm` field error shows under the box.
 */
export function ConfirmByNameDialog({
  name,
  id,
  trigger,
  title,
  description,
  action,
  pendingAction,
  isPending,
  error,
  onConfirm,
  onClose,
}: {
  name: string;
  /** Prefix for the input's and error's element ids. */
  id: string;
  trigger: string;
  title: string;
  description: string;
  action: string;
  pendingAction: string;
  isPending: boolean;
  error: unknown;
  onConfirm: (confirm: string) => void;
  /** The dialog closed: reset the mutation. */
  onClose: () => void;
}) {
  const [isOpen, setIsOpen] = useState(false);
  const [confirm, setConfirm] = useState("");

  function onOpenChange(open: boolean) {
    setIsOpen(open);
    if (!open) {
      setConfirm("");
      onClose();
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    onConfirm(confirm);
  }

  const confirmError = errorFor(error, "confirm");
  return (
    <Dialog open={isOpen} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button variant="danger-outline">{trigger}</Button>
      </DialogTrigger>
      <DialogContent title={title} description={description}>
        <form onSubmit={onSubmit} noValidate className="space-y-2">
          <Label htmlFor={`${id}-confirm`}>
            Type <span className="font-mono font-semibold">{name}</span> to confirm
          </Label>
          <Input
            id={`${id}-confirm`}
            value={confirm}
            onChange={(e) => setConfirm(e.target.value)}
            autoComplete="off"
            spellCheck={false}
            aria-invalid={confirmError ? true : undefined}
            aria-describedby={confirmError ? `${id}-confirm-error` : undefined}
          />
          <FieldError id={`${id}-confirm-error`} message={confirmError ?? formErrorOf(error, ["confirm"])} />
          <DialogFooter>
            <DialogClose asChild>
              <Button variant="ghost">Cancel</Button>
            </DialogClose>
            <Button type="submit" variant="danger" isPending={isPending} disabled={confirm !== name}>
              {isPending ? pendingAction : action}
            </Button>
          </DialogFooter>
        </form>
      </DialogContent>
    </Dialog>
  );
}
