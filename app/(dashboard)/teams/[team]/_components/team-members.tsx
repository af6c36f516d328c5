"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf, messageOf } from "@/components/trpc-errors";
import { Badge } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { RelativeTime } from "@/components/ui/relative-time";
import { LoadingRows } from "@/components/ui/skeleton";

export function TeamMembers({ team, isAdmin }: { team: string; isAdmin: boolean }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const details = useQuery(trpc.teams.members.list.queryOptions({ team }));
  const [email, setEmail] = useState("");
  const [added, setAdded] = useState<string | null>(null);
  const addMember = useMutation(
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
    addMember.mutate({ team, email: email.trim() });
  }

  const emailError = errorFor(addMember.error, "email");
  return (
    <Card aria-labelledby="members-title">
      <CardHeader titleId="members-title" title="Members" description="Admins manage the team and its apps; members deploy and configure apps." />
      {details.isPending ? (
        <LoadingRows label="Loading members" rows={2} />
      ) : details.isError ? (
        <CardContent>
          <FieldError message={`Couldn't load members: ${messageOf(details.error)}`} />
        </CardContent>
      ) : (
        <ul className="divide-y divide-border" aria-label="Team members">
          {details.data.map((member) => (
            <li key={member.id} className="flex flex-wrap items-center justify-between gap-x-4 gap-y-1 px-4 py-3 sm:px-5">
              <div className="min-w-0">
                <p className="truncate text-sm font-medium text-fg">{member.user.name ?? member.user.email}</p>
                {member.user.name && <p className="truncate text-sm text-muted">{member.user.email}</p>}
              </div>
              <div className="flex items-center gap-3 text-sm text-muted">
                <span>
                  Joined <RelativeTime date={member.createdAt} />
                </span>
                <Badge tone={member.role === "admin" ? "accent" : "neutral"}>{member.role}</Badge>
              </div>
            </li>
          ))}
        </ul>
      )}
      <CardContent className="border-t border-border">
        {isAdmin ? (
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
              <Button type="submit" variant="secondary" isPending={addMember.isPending} disabled={!email.trim()}>
                Add member
              </Button>
            </div>
            <FieldError id="member-email-error" message={emailError ?? formErrorOf(addMember.error, ["email"])} />
            {added && (
              <p role="status" className="text-sm text-success">
                Added {added} to {team}.
              </p>
            )}
            <p className="text-sm text-muted">They need a Slipway account first.</p>
          </form>
        ) : (
          <p className="text-sm text-muted">Only team admins can add members.</p>
        )}
      </CardContent>
    </Card>
  );
}
