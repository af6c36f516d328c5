"use client";

import { Card } from "@/components/ui/card";
import { AddAppDialog } from "./add-app-dialog";
import { StageAppCard } from "./stage-app-card";
import { NEXT_STAGE, STAGE_LABELS, type Overview, type StageApp } from "./types";

type Stage = "development" | "staging" | "production";

const EMPTY_HINT: Record<Stage, string> = {
  development: "Where work in progress runs.",
  staging: "Deploy here first: push to a staging app, check it, then promote.",
  production: "Promotions from staging land here: the same build, production's config.",
};

export function StageColumn({ stage, pipeline, apps, overview, canCouple }: { stage: Stage; pipeline: string; apps: StageApp[]; overview: Overview; canCouple: boolean }) {
  const next = stage in NEXT_STAGE ? NEXT_STAGE[stage as keyof typeof NEXT_STAGE] : null;
  const targets = next ? overview.stages[next] : [];
  const headingId = `stage-${stage}`;
  return (
    <Card aria-labelledby={headingId} className="flex flex-col bg-surface-muted/40">
      <div className="flex items-center justify-between gap-2 border-b border-border px-4 py-3">
        <h2 id={headingId} className="text-sm font-semibold tracking-wide text-fg uppercase">
          {STAGE_LABELS[stage]} <span className="font-normal text-muted tabular-nums">{apps.length}</span>
        </h2>
        {canCouple && <AddAppDialog pipeline={pipeline} stage={stage} />}
      </div>
      <ul aria-label={`${STAGE_LABELS[stage]} apps`} className="flex flex-1 flex-col gap-3 p-3">
        {apps.length === 0 && <li className="rounded-md border border-dashed border-border px-3 py-6 text-center text-sm text-muted">{EMPTY_HINT[stage]}</li>}
        {apps.map((app) => (
          <StageAppCard
            key={app.id}
            pipeline={pipeline}
            stage={stage}
            app={app}
            targets={targets}
            nextStage={next}
            diff={overview.diffs.filter((d) => d.to === app.name)}
            canCouple={canCouple}
          />
        ))}
      </ul>
    </Card>
  );
}
