"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { FieldError } from "@/components/ui/field-error";
import { Input, Select } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import type { TeamRole } from "@/server/auth/permissions";
import { ROLE_OPTIONS } from "./roles";

/** Adds someone who already has an account, at once; people without one get an invitation. */
export function AddMemberForm({ team }: { team: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState("");
  const [role, setRole] = useState<TeamRole>("member");
  const [added, setAdded] = useState<string | null>(null);
  const add = useMutation(
    trpc.teams.members.add.mutationOptions({
      onSuccess: async (member) => {
        setAdded(member.user.email);
        setEmail("");
        await queryClient.invalidateQueries({ queryKey: trpc.teams.members.list.queryKey({ team }) });
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setAdded(null);
    add.mutate({ team, email: email.trim(), role });
  }

  const emailError = errorFor(add.error, "email");
  return (
    <form onSubmit={onSubmit} noValidate className="space-y-2">
      <Label htmlFor="member-email">Add a member by email</Label>
      <div className="flex flex-col gap-2 sm:flex-row">
        <Input
          id="member-email"
          type="email"
          value={email}
          onChange={(e) => setEmail(e.target.value)}
          placeholder="teammate@example.com"
          autoComplete="off"
          aria-invalid={emailError ? true : undefined}
          aria-describedby={emailError ? "member-email-error" : undefined}
          className="sm:max-w-sm"
        />
        <div className="shrink-0 sm:w-32">
          <Select aria-label="Role for the new member" value={role} onChange={(e) => setRole(e.target.value as TeamRole)}>
            {ROLE_OPTIONS.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </Select>
        </div>
        <Button type="submit" variant="secondary" isPending={add.isPending} disabled={!email.trim()}>
          Add member
        </Button>
      </div>
      <FieldError id="member-email-error" message={emailError ?? formErrorOf(add.error, ["email"])} />
      {added && (
        <p role="status" className="text-sm text-success">
          Added {added} to {team}.
        </p>
      )}
      <p className="text-sm text-muted">For people who already have a Slipway account. Anyone else: use Invite, which gives you a link to send them.</p>
    </form>
  );
}
