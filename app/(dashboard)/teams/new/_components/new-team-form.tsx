"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import type { FormEvent } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardFooter } from "@/components/ui/card";
import { Field } from "@/components/ui/field";
import { FieldError } from "@/components/ui/field-error";
import { Input } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";

export function NewTeamForm() {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  const createTeam = useMutation(
    trpc.teams.create.mutationOptions({
      onSuccess: async (team) => {
        await queryClient.invalidateQueries({ queryKey: trpc.teams.list.queryKey() });
        toast.success(`Created team ${team.name}`);
        router.push(`/teams/${team.name}`);
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    createTeam.mutate({ name: String(new FormData(event.currentTarget).get("name") ?? "").trim() });
  }

  return (
    <Card>
      <form onSubmit={onSubmit} noValidate>
        <CardContent className="py-5">
          <Field id="team-name" label="Team name" hint="Lowercase letters, digits and dashes, 3–30 characters." error={errorFor(createTeam.error, "name")}>
            {(props) => <Input {...props} name="name" autoComplete="off" spellCheck={false} required autoFocus maxLength={30} />}
          </Field>
          <FieldError className="mt-4" message={formErrorOf(createTeam.error, ["name"])} />
        </CardContent>
        <CardFooter>
          <Button variant="ghost" onClick={() => router.back()}>
            Cancel
          </Button>
          <Button type="submit" isPending={createTeam.isPending}>
            {createTeam.isPending ? "Creating…" : "Create team"}
          </Button>
        </CardFooter>
      </form>
    </Card>
  );
}
