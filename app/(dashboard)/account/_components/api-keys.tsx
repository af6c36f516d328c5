"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { useTRPC } from "@/components/trpc-provider";
import { errorFor, formErrorOf, messageOf } from "@/components/trpc-errors";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { CopyButton } from "@/components/ui/copy-button";
import { EmptyState } from "@/components/ui/empty-state";
import { FieldError } from "@/components/ui/field-error";
import { AlertIcon, KeyIcon } from "@/components/ui/icons";
import { Input } from "@/components/ui/input";
import { Label } from "@/components/ui/label";
import { RelativeTime } from "@/components/ui/relative-time";
import { LoadingRows } from "@/components/ui/skeleton";
import { RevokeKeyButton } from "./revoke-key-button";

export function ApiKeys() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const keys = useQuery(trpc.account.apiKeys.list.queryOptions());
  const [description, setDescription] = useState("");
  const [created, setCreated] = useState<{ token: string; description: string } | null>(null);
  const createKey = useMutation(
    trpc.account.apiKeys.create.mutationOptions({
      onSuccess: async (key) => {
        setCreated({ token: key.token, description: key.description });
        setDescription("");
        await queryClient.invalidateQueries({ queryKey: trpc.account.apiKeys.list.queryKey() });
      },
    }),
  );

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    setCreated(null);
    createKey.mutate({ description: description.trim() });
  }

  const descriptionError = errorFor(createKey.error, "description");
  return (
    <Card aria-labelledby="api-keys-title">
      <CardHeader
        titleId="api-keys-title"
        title="API keys"
        description={
          <>
            For scripts and the CLI: send a key as <code className="font-mono text-fg">Authorization: Bearer &lt;key&gt;</code>. A key acts as you.
            For <code className="font-mono text-fg">heroku run</code>, trust this platform&apos;s{" "}
            <a href="/api/rendezvous-ca" download className="font-medium text-link hover:underline">
              certificate authority
            </a>{" "}
            once: <code className="font-mono text-fg">export NODE_EXTRA_CA_CERTS=/path/to/slipway-rendezvous-ca.pem</code>.
          </>
        }
      />
      <CardContent className="space-y-4">
        <form onSubmit={onSubmit} noValidate className="space-y-2">
          <Label htmlFor="key-description">Description</Label>
          <div className="flex flex-col gap-2 sm:flex-row">
            <Input
              id="key-description"
              value={description}
              onChange={(e) => setDescription(e.target.value)}
              placeholder="e.g. CI deploys, laptop CLI"
              maxLength={100}
              autoComplete="off"
              aria-invalid={descriptionError ? true : undefined}
              aria-describedby={descriptionError ? "key-description-error" : undefined}
              className="sm:max-w-sm"
            />
            <Button type="submit" isPending={createKey.isPending}>
              Create API key
            </Button>
          </div>
          <FieldError id="key-description-error" message={descriptionError ?? formErrorOf(createKey.error, ["description"])} />
        </form>
        {created && <NewKeyBox token={created.token} description={created.description} onDone={() => setCreated(null)} />}
      </CardContent>
      {keys.isPending ? (
        <LoadingRows label="Loading API keys" rows={2} />
      ) : keys.isError ? (
        <CardContent className="border-t border-border">
          <FieldError message={`Couldn't load API keys: ${messageOf(keys.error)}`} />
        </CardContent>
      ) : keys.data.length === 0 ? (
        <div className="border-t border-border">
          <EmptyState icon={<KeyIcon />} title="No API keys">
            Create one to use Slipway from scripts, CI or the command line.
          </EmptyState>
        </div>
      ) : (
        <div className="border-t border-border">
          <table className="w-full text-left text-sm">
            <caption className="sr-only">Your API keys</caption>
            <thead className="text-xs tracking-wide text-muted uppercase">
              <tr className="border-b border-border">
                <th scope="col" className="px-4 py-2.5 font-medium sm:px-5">Description</th>
                <th scope="col" className="hidden px-3 py-2.5 font-medium sm:table-cell">Key</th>
                <th scope="col" className="px-3 py-2.5 font-medium">Created</th>
                <th scope="col" className="hidden px-3 py-2.5 font-medium sm:table-cell">Last used</th>
                <th scope="col" className="px-4 py-2.5 sm:px-5">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody className="divide-y divide-border">
              {keys.data.map((key) => (
                <tr key={key.id}>
                  <td className="px-4 py-3 sm:px-5">
                    <span className="font-medium break-words text-fg">{key.description}</span>
                    {/* On narrow screens the key and last use move under the description. */}
                    <span className="mt-0.5 block text-muted sm:hidden">
                      <span className="font-mono">{key.prefix}…</span> · {key.lastUsedAt ? <>used <RelativeTime date={key.lastUsedAt} /></> : "never used"}
                    </span>
                  </td>
                  <td className="hidden px-3 py-3 font-mono text-muted sm:table-cell">{key.prefix}…</td>
                  <td className="px-3 py-3 text-muted">
                    <RelativeTime date={key.createdAt} />
                  </td>
                  <td className="hidden px-3 py-3 text-muted sm:table-cell">{key.lastUsedAt ? <RelativeTime date={key.lastUsedAt} /> : "Never"}</td>
                  <td className="px-4 py-3 text-right sm:px-5">
                    <RevokeKeyButton keyId={key.id} description={key.description} prefix={key.prefix} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </Card>
  );
}

function NewKeyBox({ token, description, onDone }: { token: string; description: string; onDone: () => void }) {
  return (
    <div role="status" className="space-y-3 rounded-lg border border-warning/40 bg-warning-soft p-4">
      <p className="flex items-start gap-2 text-sm font-medium text-fg">
        <AlertIcon className="mt-0.5 shrink-0 text-warning" />
        <span>
          Copy your new key “{description}” now. It is shown only once: Slipway stores only a hash of it.
        </span>
      </p>
      <div className="flex flex-col gap-2 sm:flex-row">
        <Input
          readOnly
          value={token}
          aria-label="New API key"
          onFocus={(e) => e.currentTarget.select()}
          className="font-mono read-only:bg-surface"
        />
        <div className="flex gap-2">
          <CopyButton value={token} label="API key" size="md" />
          <Button variant="ghost" onClick={onDone}>
            Done
          </Button>
        </div>
      </div>
    </div>
  );
}
