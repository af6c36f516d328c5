"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { CopyButton } from "@/components/ui/copy-button";
import { Dialog, DialogClose, DialogContent, DialogFooter, DialogTrigger } from "@/components/ui/dialog";
import { Field } from "@/components/ui/field";
import { FieldError } from "@/components/ui/field-error";
import { PlusIcon } from "@/components/ui/icons";
import { CodeInput, Input, Select } from "@/components/ui/input";
import type { TeamRole } from "@/server/auth/permissions";
import { ROLE_OPTIONS } from "./roles";

/**
 * Email + role → an invitation link, shown here once (only its hash is stored). Slipway
 * sends no email: the admin passes the link on.
 */
export function InviteDialog({ team }: { team: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [isOpen, setIsOpen] = useState(false);
  const [role, setRole] = useState<TeamRole>("member");
  const create = useMutation(
    trpc.teams.invitations.create.mutationOptions({
      onSuccess: () => queryClient.invalidateQueries({ queryKey: trpc.teams.invitations.list.queryKey({ team }) }),
    }),
  );

  function onOpenChange(open: boolean) {
    setIsOpen(open);
    if (!open) {
      create.reset();
      setRole("member");
    }
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    create.mutate({ team, email: String(new FormData(event.currentTarget).get("email") ?? "").trim(), role });
  }

  const created = create.data;
  return (
    <Dialog open={isOpen} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>
        <Button size="sm">
          <PlusIcon />
          Invite
        </Button>
      </DialogTrigger>
      <DialogContent
        title={created ? "Invitation link" : `Invite someone to ${team}`}
        description={created ? `Send this link to ${created.email}. It works once, until it expires in 7 days.` : "They sign in or sign up through the link, and join with the role you choose."}
      >
        {created ? (
          <div className="space-y-3">
            <div className="flex gap-2">
              <CodeInput readOnly value={created.url} aria-label="Invitation link" onFocus={(e) => e.currentTarget.select()} />
              <CopyButton value={created.url} label="invitation link" />
            </div>
            <p className="text-sm text-warning">This is the only time the link is shown. If it is lost, revoke the invitation and invite again.</p>
            <DialogFooter>
              <DialogClose asChild>
                <Button>Done</Button>
              </DialogClose>
            </DialogFooter>
          </div>
        ) : (
          <form onSubmit={onSubmit} noValidate className="space-y-4">
            <Field id="invite-email" label="Email" error={errorFor(create.error, "email")}>
              {(props) => <Input {...props} name="email" type="email" autoComplete="off" placeholder="teammate@example.com" required />}
            </Field>
            <Field id="invite-role" label="Role" hint={ROLE_OPTIONS.find((r) => r.value === role)?.help}>
              {(props) => (
                <Select {...props} value={role} onChange={(e) => setRole(e.target.value as TeamRole)}>
                  {ROLE_OPTIONS.map((r) => (
                    <option key={r.value} value={r.value}>
                      {r.label}
                    </option>
                  ))}
                </Select>
              )}
            </Field>
            <FieldError message={formErrorOf(create.error, ["email"])} />
            <DialogFooter>
              <DialogClose asChild>
                <Button variant="ghost">Cancel</Button>
              </DialogClose>
              <Button type="submit" isPending={create.isPending}>
                Create invitation
              </Button>
            </DialogFooter>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
