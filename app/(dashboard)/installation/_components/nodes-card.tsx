"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc-provider";
import { messageOf } from "@/components/trpc-errors";
import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Button } from "@/components/ui/button";
import { Card, CardContent, CardHeader } from "@/components/ui/card";
import { FieldError } from "@/components/ui/field-error";
import { LoadingRows } from "@/components/ui/skeleton";

function formatBytes(bytes: number | null): string {
  if (bytes === null) return "—";
  const gb = bytes / 1024 ** 3;
  return gb >= 1 ? `${gb.toFixed(1)} GB` : `${Math.round(bytes / 1024 ** 2)} MB`;
}

const STATE_TONE: Record<string, BadgeTone> = { ready: "success", down: "danger", disconnected: "warning", unknown: "warning" };
const AVAILABILITY_TONE: Record<string, BadgeTone> = { active: "success", pause: "warning", drain: "warning" };

/** The installation's nodes, with drain / activate where the runtime has more than one machine. */
export function NodesCard() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const nodes = useQuery({ ...trpc.installation.nodes.queryOptions(), refetchInterval: 5_000 });
  const update = useMutation(
    trpc.installation.setNodeAvailability.mutationOptions({
      onSettled: () => queryClient.invalidateQueries({ queryKey: trpc.installation.nodes.queryKey() }),
    }),
  );
  const swarm = nodes.data?.runtime === "swarm";

  return (
    <Card aria-labelledby="nodes-title">
      <CardHeader
        titleId="nodes-title"
        title="Nodes"
        description={
          nodes.data &&
          (swarm
            ? "Docker Swarm nodes (SLIPWAY_RUNTIME=swarm). Draining a node moves its dynos to the others; add-ons pinned to it stay."
            : "Every dyno runs on this machine's Docker Engine (SLIPWAY_RUNTIME=engine). Drain and activate need the swarm runtime.")
        }
      />
      <CardContent className="p-0 sm:p-0">
        {nodes.isPending ? (
          <LoadingRows label="Loading nodes" rows={2} />
        ) : nodes.error ? (
          <FieldError className="p-4" message={`Couldn't list the nodes: ${messageOf(nodes.error)}`} />
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className="border-b border-border text-xs text-muted">
                <tr>
                  <th scope="col" className="px-4 py-2 font-medium sm:px-5">Node</th>
                  <th scope="col" className="px-3 py-2 font-medium">State</th>
                  <th scope="col" className="px-3 py-2 font-medium">Availability</th>
                  <th scope="col" className="px-3 py-2 font-medium">Role</th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">Dynos</th>
                  <th scope="col" className="px-3 py-2 text-right font-medium">Memory</th>
                  <th scope="col" className="px-4 py-2 sm:px-5"><span className="sr-only">Actions</span></th>
                </tr>
              </thead>
              <tbody className="divide-y divide-border">
                {nodes.data.nodes.map((n) => {
                  const busy = update.isPending && update.variables?.node === n.id;
                  return (
                    <tr key={n.id} aria-label={n.name}>
                      <td className="px-4 py-2.5 sm:px-5">
                        <span className="font-mono font-medium text-fg">{n.name}</span>
                        <span className="block text-xs text-muted">
                          {[n.address, n.cpus !== null ? `${n.cpus} CPU` : null, n.engineVersion ? `Engine ${n.engineVersion}` : null].filter(Boolean).join(" · ")}
                        </span>
                      </td>
                      <td className="px-3 py-2.5"><Badge tone={STATE_TONE[n.state] ?? "neutral"}>{n.state}</Badge></td>
                      <td className="px-3 py-2.5"><Badge tone={AVAILABILITY_TONE[n.availability] ?? "neutral"}>{n.availability}</Badge></td>
                      <td className="px-3 py-2.5 text-muted">{n.role}{n.leader && swarm ? " (leader)" : ""}</td>
                      <td className="px-3 py-2.5 text-right tabular-nums">{n.dynos}</td>
                      <td className="px-3 py-2.5 text-right tabular-nums">{formatBytes(n.memoryBytes)}</td>
                      <td className="px-4 py-2.5 text-right sm:px-5">
                        {swarm ? (
                          n.availability === "active" ? (
                            <Button variant="secondary" size="sm" isPending={busy} onClick={() => update.mutate({ node: n.id, availability: "drain" })}>
                              Drain
                            </Button>
                          ) : (
                            <Button variant="secondary" size="sm" isPending={busy} onClick={() => update.mutate({ node: n.id, availability: "active" })}>
                              Activate
                            </Button>
                          )
                        ) : (
                          <span className="text-xs text-muted">This machine</span>
                        )}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
        <FieldError className="px-4 pb-3 sm:px-5" message={update.error ? `Couldn't change ${update.variables?.node}: ${messageOf(update.error)}` : null} />
      </CardContent>
    </Card>
  );
}
