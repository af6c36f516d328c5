"use client";

import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { EmptyState } from "@/components/ui/empty-state";
import { AlertIcon } from "@/components/ui/icons";

export default function DashboardError({ retry }: { error: unknown; retry: () => void }) {
  return (
    <Card>
      <EmptyState
        icon={<AlertIcon />}
        title="This page failed to load"
        actions={
          <Button variant="secondary" onClick={() => retry()}>
            Try again
          </Button>
        }
      >
        Something went wrong on our side. If it keeps happening, check the server&apos;s log.
      </EmptyState>
    </Card>
  );
}
