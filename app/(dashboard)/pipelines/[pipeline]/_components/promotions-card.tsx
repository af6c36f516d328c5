"use client";

import { Badge, type BadgeTone } from "@/components/ui/badge";
import { Card, CardHeader } from "@/components/ui/card";
import { RelativeTime } from "@/components/ui/relative-time";
import { Spinner } from "@/components/ui/spinner";
import type { Promotion } from "./types";

const TONE: Record<string, BadgeTone> = { pending: "accent", succeeded: "success", failed: "danger" };

/** The latest promotions, each target with its own result as it comes in. */
export function PromotionsCard({ promotions }: { promotions: Promotion[] }) {
  if (promotions.length === 0) return null;
  return (
    <Card aria-labelledby="promotions-title">
      <CardHeader titleId="promotions-title" title="Recent promotions" />
      <ul className="divide-y divide-border" aria-label="Recent promotions">
        {promotions.map((p) => (
          <li key={p.id} className="px-4 py-3 text-sm sm:px-5">
            <p className="text-fg">
              <span className="font-medium">
                {p.sourceAppName} v{p.sourceVersion}
              </span>{" "}
              <span className="text-muted">
                promoted <RelativeTime date={p.createdAt} />
              </span>
            </p>
            <ul className="mt-1.5 flex flex-wrap gap-x-4 gap-y-1">
              {p.targets.map((t) => (
                <li key={t.id} className="flex items-center gap-1.5" aria-label={`${t.appName}: ${t.status}`}>
                  {t.status === "pending" && <Spinner />}
                  <span className="text-fg">{t.appName}</span>
                  <Badge tone={TONE[t.status] ?? "neutral"}>{t.status === "succeeded" && t.releaseVersion ? `v${t.releaseVersion}` : t.status}</Badge>
                  {t.error && <span className="text-danger">{t.error}</span>}
                </li>
              ))}
            </ul>
          </li>
        ))}
      </ul>
    </Card>
  );
}
