"use client";

import { useQuery } from "@tanstack/react-query";
import { useTRPC } from "@/components/trpc-provider";
import { Button } from "@/components/ui/button";
import { cn } from "@/components/ui/cn";
import { FieldError } from "@/components/ui/field-error";
import { Select } from "@/components/ui/input";
import { Slider } from "@/components/ui/slider";
import { describeReservation, describeSize, sliderStops } from "./format";
import { memoryAfter } from "./quota";
import type { FormationEntry, DynoSize } from "./types";
import { useScale } from "./use-scale";
import { useAppPermissions } from "@/components/use-app-permissions";

/** Slider + size picker for one process type; a change shows what it reserves and waits for Confirm. */
export function ScaleControls({ appName, entry, sizes }: { appName: string; entry: FormationEntry; sizes: readonly DynoSize[] }) {
  const trpc = useTRPC();
  const scale = useScale(appName, entry);
  const quotas = useQuery(trpc.quotas.forApp.queryOptions({ app: appName })).data;
  const { quantity } = scale.shown;
  const size = sizes.find((s) => s.name === scale.shown.size) ?? { name: scale.shown.size, memoryMb: 0, cpus: 0, pids: 0, maxQuantity: quantity };
  const max = Math.max(Math.min(size.maxQuantity, quotas?.dynosPerProcessType ?? Infinity), entry.quantity);
  const nowMb = entry.quantity * (sizes.find((s) => s.name === entry.size)?.memoryMb ?? 0);
  const memory = quotas ? memoryAfter(quotas, nowMb, quantity * size.memoryMb) : null;
  const scaleReason = useAppPermissions(appName).denied("formation:scale");
  const isDisabled = scale.isPending || !!scaleReason;
  const stops = sliderStops(max, quantity);
  const setQuantity = (q: number) => scale.change({ quantity: Math.min(max, Math.max(0, q)) });

  return (
    <div className="space-y-3">
      <div className="grid gap-3 sm:grid-cols-[minmax(0,1fr)_25rem] sm:items-center">
        <div className="flex items-center gap-2">
          <Button variant="ghost" size="sm" className="w-8 px-0 text-base" aria-label={`One fewer ${entry.type} dyno`} disabled={isDisabled || quantity <= 0} onClick={() => setQuantity(quantity - 1)}>
            −
          </Button>
          <Slider
            aria-label={`${entry.type} dynos`}
            aria-valuetext={`${quantity} ${quantity === 1 ? "dyno" : "dynos"}, at most ${max}`}
            value={stops.indexOf(quantity)}
            max={stops.length - 1}
            disabled={isDisabled}
            onValueChange={(i) => setQuantity(stops[i] ?? quantity)}
            onKeyDown={(e) => e.key === "Escape" && scale.cancel()}
          />
          <Button variant="ghost" size="sm" className="w-8 px-0 text-base" aria-label={`One more ${entry.type} dyno`} disabled={isDisabled || quantity >= max} onClick={() => setQuantity(quantity + 1)}>
            +
          </Button>
          <output
            aria-label={`${entry.type} dyno count`}
            className={cn(
              "flex h-9 min-w-11 items-center justify-center rounded-md border px-2 text-base font-semibold tabular-nums",
              scale.isDirty ? "border-primary bg-accent-soft text-link" : "border-border bg-surface-muted text-fg",
            )}
          >
            {quantity}
          </output>
        </div>
        <Select
          aria-label={`${entry.type} dyno size`}
          value={size.name}
          disabled={isDisabled}
          onChange={(e) => {
            const next = sizes.find((s) => s.name === e.target.value);
            if (next) scale.change({ size: next.name, quantity: Math.min(quantity, next.maxQuantity) });
          }}
        >
          {sizes.map((s) => (
            <option key={s.name} value={s.name}>
              {s.name} · {describeSize(s)}
              {s.maxQuantity === 1 ? " · max 1" : ""}
            </option>
          ))}
        </Select>
      </div>
      <div className="flex min-h-9 flex-wrap items-center justify-between gap-x-4 gap-y-2">
        <p className={cn("text-sm", scale.isDirty ? "font-medium text-fg" : "text-muted")} aria-live="polite">
          {scale.isDirty ? "New formation: " : ""}
          {describeReservation(quantity, size)}
        </p>
        {scale.isDirty && (
          <div className="flex gap-2">
            <Button variant="ghost" onClick={scale.cancel} disabled={scale.isPending}>
              Cancel
            </Button>
            <Button onClick={scale.confirm} isPending={scale.isPending} disabled={memory?.isOver}>
              Confirm
            </Button>
          </div>
        )}
      </div>
      {memory && (
        <p className={cn("text-xs", memory.isOver ? "font-medium text-danger" : "text-muted")} aria-live="polite">
          {memory.text}
          {!memory.isOver && quotas && ` · at most ${quotas.dynosPerProcessType} per process type`}
        </p>
      )}
      <FieldError message={scale.error} />
    </div>
  );
}
