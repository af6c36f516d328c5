"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { FieldError } from "@/components/ui/field-error";
import { PlusIcon } from "@/components/ui/icons";
import { CodeInput } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { useToast } from "@/components/ui/toast";

export function AddDomainForm({ appName, dnsTarget }: { appName: string; dnsTarget: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [hostname, setHostname] = useState("");
  const add = useMutation(
    trpc.domains.add.mutationOptions({
      onSuccess: async (domain) => {
        await queryClient.invalidateQueries({ queryKey: trpc.domains.list.queryKey({ app: appName }) });
        setHostname("");
        toast.success(`Added ${domain.hostname}`, `Point a CNAME record for it at ${dnsTarget}.`);
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    add.mutate({ app: appName, hostname: hostname.trim() });
  }

  const hostnameError = errorFor(add.error, "hostname");
  const formError = formErrorOf(add.error, ["hostname"]);
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Add a domain" className="space-y-2 px-4 py-3 sm:px-5">
      <Label htmlFor="domain-hostname">Add a custom domain</Label>
      <div className="flex flex-col gap-2 sm:flex-row">
        <CodeInput
          id="domain-hostname"
          name="hostname"
          placeholder="www.example.com"
          value={hostname}
          onChange={(e) => {
            setHostname(e.target.value);
            // An error about the previous attempt would now describe a different hostname.
            if (add.error) add.reset();
          }}
          aria-invalid={hostnameError ? true : undefined}
          aria-describedby={hostnameError ? "domain-hostname-error" : "domain-hostname-hint"}
          className="sm:max-w-sm"
        />
        <Button type="submit" variant="secondary" isPending={add.isPending} disabled={!hostname.trim()}>
          {!add.isPending && <PlusIcon />}
          Add domain
        </Button>
      </div>
      {hostnameError || formError ? (
        <FieldError id="domain-hostname-error" message={hostnameError ?? formError} />
      ) : (
        <p id="domain-hostname-hint" className="text-sm text-muted">
          The hostname visitors type, such as www.example.com.
        </p>
      )}
    </form>
  );
}
