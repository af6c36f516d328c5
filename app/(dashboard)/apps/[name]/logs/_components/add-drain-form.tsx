"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Field } from "@/components/ui/field";
import { PlusIcon } from "@/components/ui/icons";
import { CodeInput } from "@/components/ui/input";
import { useToast } from "@/components/ui/toast";

export function AddDrainForm({ appName }: { appName: string }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const [url, setUrl] = useState("");
  const add = useMutation(
    trpc.logs.addDrain.mutationOptions({
      onSuccess: async (drain) => {
        await queryClient.invalidateQueries({ queryKey: trpc.logs.drains.queryKey({ app: appName }) });
        setUrl("");
        toast.success("Added log drain", `New lines now go to ${drain.url}.`);
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    add.mutate({ app: appName, url: url.trim() });
  }

  // The server's message for the URL (bad scheme, no port, already added) goes under the field;
  // anything else (the five-drain limit, a lost connection) there too, as the form's only field.
  const error = errorFor(add.error, "url") ?? formErrorOf(add.error, ["url"]);
  return (
    <form onSubmit={onSubmit} noValidate aria-label="Add a log drain" className="px-4 py-3 sm:px-5">
      <Field
        id="drain-url"
        label="Add a log drain"
        error={error}
        hint={
          <>
            <code className="font-mono">syslog://host:port</code>, <code className="font-mono">syslog+tls://host:port</code>, or an{" "}
            <code className="font-mono">https://</code> (or <code className="font-mono">http://</code>) URL that takes Logplex batches. A
            password in the URL is stored encrypted and shown masked.
          </>
        }
      >
        {(control) => (
          <div className="flex flex-col gap-2 sm:flex-row">
            <CodeInput
              {...control}
              name="url"
              type="url"
              placeholder="syslog+tls://logs.example.com:6514"
              value={url}
              onChange={(e) => {
                setUrl(e.target.value);
                // An error about the previous attempt would now describe a different URL.
                if (add.error) add.reset();
              }}
              className="sm:max-w-lg"
            />
            <Button type="submit" variant="secondary" isPending={add.isPending} disabled={!url.trim()}>
              {!add.isPending && <PlusIcon />}
              Add drain
            </Button>
          </div>
        )}
      </Field>
    </form>
  );
}
