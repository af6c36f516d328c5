"use client";

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc-provider";
import { useToast } from "@/components/ui/toast";

function plural(n: number, word: string) {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

/** Restart / stop, for one dyno, a process type or the whole app. Each caller shows its own error. */
export function useDynoActions(appName: string) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const toast = useToast();
  const refresh = () => queryClient.invalidateQueries({ queryKey: trpc.dynos.list.queryKey({ app: appName }) });

  const restart = useMutation(
    trpc.dynos.restart.mutationOptions({
      onSuccess: ({ restarted }, input) => {
        const what = input.dyno ?? (input.type ? `${input.type} dynos` : "all dynos");
        toast.success(`Restarting ${what}`, input.dyno ? undefined : `${plural(restarted, "dyno")} restarting.`);
        return refresh();
      },
    }),
  );
  const stop = useMutation(
    trpc.dynos.stop.mutationOptions({
      onSuccess: (_data, input) => {
        // Heroku's ps:stop: a formation dyno is started again by the dyno manager.
        const isOneOff = input.dyno.startsWith("run.");
        toast.success(`Stopped ${input.dyno}`, isOneOff ? undefined : "The dyno manager starts a fresh one to keep the formation.");
        return refresh();
      },
    }),
  );
  return { restart, stop };
}
