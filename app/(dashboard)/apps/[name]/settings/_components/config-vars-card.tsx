"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { useTRPC, useTRPCClient } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { useAppPermissions } from "@/components/use-app-permissions";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { LoadingRows } from "@/components/ui/skeleton";
import { useToast } from "@/components/ui/toast";
import { AddConfigVarForm } from "./add-config-var-form";
import { ConfigVarRow } from "./config-var-row";

type Release = { version: number; description: string } | null;

/**
 * Heroku's Config Vars section: keys listed, values hidden until revealed one at a time
 * (values never sit in the query cache), edit and remove inline. Each change is a release.
 */
export function ConfigVarsCard({ appName }: { appName: string }) {
  const trpc = useTRPC();
  const client = useTRPCClient();
  const queryClient = useQueryClient();
  const toast = useToast();
  const { denied } = useAppPermissions(appName);
  const rowDenied = { read: denied("config:read"), write: denied("config:write") };
  const keys = useQuery(trpc.config.keys.queryOptions({ app: appName }));
  const [revealed, setRevealed] = useState<Record<string, string>>({});
  const [lastRelease, setLastRelease] = useState<Release | undefined>(undefined);

  async function afterChange(release: Release) {
    setLastRelease(release);
    if (release) toast.success(`Released v${release.version}`, release.description);
    else toast.info("Nothing changed", "That config var already had this value.");
    await Promise.all([
      queryClient.invalidateQueries({ queryKey: trpc.config.keys.queryKey({ app: appName }) }),
      queryClient.invalidateQueries({ queryKey: trpc.apps.get.queryKey({ app: appName }) }),
      queryClient.invalidateQueries({ queryKey: trpc.releases.list.queryKey() }),
      queryClient.invalidateQueries({ queryKey: trpc.apps.list.pathKey() }),
    ]);
  }

  const setVar = useMutation(trpc.config.set.mutationOptions());
  const unsetVar = useMutation(trpc.config.unset.mutationOptions());

  const api = {
    reveal: async (key: string) => {
      const { value } = await client.config.reveal.query({ app: appName, key });
      setRevealed((all) => ({ ...all, [key]: value }));
      return value;
    },
    hide: (key: string) =>
      setRevealed(({ [key]: _hidden, ...rest }) => rest),
    save: async (input: { key: string; value: string; previousKey?: string }) => {
      const { release } = await setVar.mutateAsync({ app: appName, ...input });
      // Values go back to hidden after a change, as they are everywhere else.
      setRevealed(({ [input.previousKey ?? input.key]: _old, [input.key.trim()]: _new, ...rest }) => rest);
      await afterChange(release);
    },
    remove: async (key: string) => {
      const { release } = await unsetVar.mutateAsync({ app: appName, key });
      api.hide(key);
      await afterChange(release);
    },
  };

  return (
    <Card id="config-vars" aria-labelledby="config-vars-title" className="scroll-mt-24">
      <CardHeader
        titleId="config-vars-title"
        title="Config vars"
        description="Environment variables your app's dynos get. Changing them makes a new release."
      />
      <div role="status" aria-live="polite" className="empty:hidden">
        {lastRelease && (
          <p className="border-b border-border bg-success-soft px-4 py-2 text-sm text-success sm:px-5">
            <span className="font-semibold">Released v{lastRelease.version}</span> · {lastRelease.description}
          </p>
        )}
      </div>
      {keys.isPending ? (
        <LoadingRows label="Loading config vars" rows={3} />
      ) : keys.isError ? (
        <CardContent>
          <FieldError message={`Couldn't load config vars: ${messageOf(keys.error)}`} />
        </CardContent>
      ) : keys.data.length === 0 ? (
        <CardContent>
          <p className="text-sm text-muted">
            No config vars yet. Add secrets and settings here (for example <code className="font-mono text-fg">DATABASE_URL</code>) instead of
            committing them with your code.
          </p>
        </CardContent>
      ) : (
        <ul aria-label="Config vars" className="divide-y divide-border">
          {keys.data.map((key) => (
            <ConfigVarRow key={key} configKey={key} value={revealed[key]} api={api} denied={rowDenied} />
          ))}
        </ul>
      )}
      <div className="border-t border-border">
        <AddConfigVarForm onAdd={(key, value) => api.save({ key, value })} existingKeys={keys.data ?? []} deniedReason={rowDenied.write} />
      </div>
    </Card>
  );
}

export type ConfigVarsApi = {
  reveal: (key: string) => Promise<string>;
  hide: (key: string) => void;
  save: (input: { key: string; value: string; previousKey?: string }) => Promise<void>;
  remove: (key: string) => Promise<void>;
};
