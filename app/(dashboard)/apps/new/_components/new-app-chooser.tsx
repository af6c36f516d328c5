"use client";

import { useState } from "react";
import { SegmentedControl } from "@/components/ui/segmented-control";
import { AppJsonForm } from "./app-json-form";
import { NewAppForm } from "./new-app-form";

type Mode = "empty" | "app-json";

/** The two ways to make an app: empty (then push), or set up from an archive with app.json. */
export function NewAppChooser({ defaultTeam, defaultMode }: { defaultTeam: string | null; defaultMode: Mode }) {
  const [mode, setMode] = useState<Mode>(defaultMode);
  return (
    <div className="space-y-4">
      <SegmentedControl
        label="How to create the app"
        options={[
          { value: "empty", label: "Empty app" },
          { value: "app-json", label: "From app.json" },
        ]}
        value={mode}
        onChange={setMode}
      />
      {mode === "empty" ? <NewAppForm defaultTeam={defaultTeam} /> : <AppJsonForm defaultTeam={defaultTeam} />}
    </div>
  );
}
