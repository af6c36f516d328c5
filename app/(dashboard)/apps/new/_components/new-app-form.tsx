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
import { OwnerField, useOwner } from "./owner-field";

export function NewAppForm({ defaultTeam }: { defaultTeam: string | null }) {
  const trpc = useTRPC();
  const router = useRouter();
  const queryClient = useQueryClient();
  const toast = useToast();
  const owner = useOwner(defaultTeam);
  const createApp = useMutation(
    trpc.apps.create.mutationOptions({
      onSuccess: async (app) => {
        await queryClient.invalidateQueries({ queryKey: trpc.apps.list.pathKey() });
        toast.success(`Created ${app.name}`);
        router.push(`/apps/${app.name}`);
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const name = String(new FormData(event.currentTarget).get("name") ?? "").trim();
    createApp.mutate({ name: name || null, team: owner.team });
  }

  return (
    <Card>
      <form onSubmit={onSubmit} noValidate>
        <CardContent className="space-y-5 py-5">
          <Field
            id="app-name"
            label={<>App name <span className="font-normal text-muted">(optional)</span></>}
            hint="Lowercase letters, digits and dashes, 3–30 characters. Leave it blank and we'll pick one, like sleepy-river-4821."
            error={errorFor(createApp.error, "name")}
          >
            {(props) => <Input {...props} name="name" autoComplete="off" spellCheck={false} autoFocus maxLength={30} />}
          </Field>
          <OwnerField state={owner} error={errorFor(createApp.error, "team")} />
          <FieldError message={formErrorOf(createApp.error, ["name", "team"]) ?? (owner.teams.isError ? "Couldn't load your teams; you can still create a personal app." : null)} />
        </CardContent>
        <CardFooter>
          <Button variant="ghost" onClick={() => router.back()}>
            Cancel
          </Button>
          <Button type="submit" isPending={createApp.isPending} disabled={!owner.isReady}>
            {createApp.isPending ? "Creating…" : "Create app"}
          </Button>
        </CardFooter>
      </form>
    </Card>
  );
}
