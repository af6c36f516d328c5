"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { FieldError } from "@/components/ui/field-error";
import { PlusIcon } from "@/components/ui/icons";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { useToast } from "@/components/ui/toast";
import type { Permission } from "@/server/auth/permissions";
import type { AccessDetails } from "./types";

const GRANTABLE: Permission[] = ["deploy", "operate", "manage"];

/** Add someone by email: a personal app's collaborator, or a grant on a team app with its permissions. */
export function AddCollaboratorForm({ access, manageReason }: { access: AccessDetails; manageReason: string | null }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const { app } = access;
  const [email, setEmail] = useState("");
  const [permissions, setPermissions] = useState<Permission[]>(["deploy", "operate"]);
  const add = useMutation(
    trpc.access.add.mutationOptions({
      onSuccess: async (row) => {
        await queryClient.invalidateQueries({ queryKey: trpc.access.list.queryKey({ app: app.name }) });
        setEmail("");
        toast.success(`Gave ${row.user.email} access`, `Permissions: ${row.permissions.join(", ")}.`);
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    add.mutate({ app: app.name, email: email.trim(), permissions: app.isTeamApp ? ["view", ...permissions] : null });
  }

  const emailError = errorFor(add.error, "email");
  const formError = formErrorOf(add.error, ["email"]);
  const isDisabled = !!manageReason;
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Add a collaborator" className="space-y-2 px-4 py-3 sm:px-5" title={manageReason ?? undefined}>
      <Label htmlFor="collaborator-email">{app.isTeamApp ? "Grant access to someone" : "Add a collaborator"}</Label>
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <Input
          id="collaborator-email"
          type="email"
          name="email"
          placeholder="name@example.com"
          value={email}
          disabled={isDisabled}
          onChange={(e) => {
            setEmail(e.target.value);
            if (add.error) add.reset();
          }}
          aria-invalid={emailError ? true : undefined}
          aria-describedby={emailError || formError ? "collaborator-email-error" : "collaborator-email-hint"}
          className="sm:max-w-xs"
        />
        {app.isTeamApp && (
          <fieldset className="flex flex-wrap gap-x-4 gap-y-1" disabled={isDisabled}>
            <legend className="sr-only">Permissions to grant</legend>
            {GRANTABLE.map((p) => (
              <label key={p} className="inline-flex items-center gap-1.5 text-sm text-fg has-disabled:text-muted">
                <input
                  type="checkbox"
                  className="size-4 accent-[var(--color-primary)]"
                  checked={permissions.includes(p)}
                  aria-label={`Grant ${p}`}
                  onChange={(e) => setPermissions((old) => (e.target.checked ? [...old, p] : old.filter((x) => x !== p)))}
                />
                {p}
              </label>
            ))}
          </fieldset>
        )}
        <Button type="submit" variant="secondary" isPending={add.isPending} disabled={isDisabled || !email.trim()}>
          {!add.isPending && <PlusIcon />}
          {app.isTeamApp ? "Grant access" : "Add collaborator"}
        </Button>
      </div>
      {emailError || formError ? (
        <FieldError id="collaborator-email-error" message={emailError ?? formError} />
      ) : (
        <p id="collaborator-email-hint" className="text-sm text-muted">
          {manageReason
            ? `${manageReason} Ask an ${app.isTeamApp ? `admin of ${app.team?.name}` : "owner"} to change who has access.`
            : app.isTeamApp
              ? "They need a Slipway account. View is always included; someone outside the team sees only this app."
              : "They need a Slipway account. Collaborators can view, deploy and operate the app."}
        </p>
      )}
    </form>
  );
}
