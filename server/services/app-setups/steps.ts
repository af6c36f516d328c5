// The steps of an app setup, in order, as the setup's row records them and the dashboard
// shows them. Plain data: the dashboard imports the labels.

export const SETUP_STEP_LABELS = {
  source: "Get the source",
  manifest: "Read app.json",
  config: "Set config vars",
  formation: "Set the formation",
  addons: "Provision add-ons",
  build: "Build and release",
  scale: "Start dynos",
  postdeploy: "Run postdeploy",
} as const;

export type SetupStepKey = keyof typeof SETUP_STEP_LABELS;
export type SetupStepStatus = "pending" | "running" | "succeeded" | "failed" | "skipped";
export type SetupStep = { key: SetupStepKey; status: SetupStepStatus; detail: string | null; startedAt: string | null; finishedAt: string | null };

export function initialSteps(): SetupStep[] {
  return (Object.keys(SETUP_STEP_LABELS) as SetupStepKey[]).map((key) => ({ key, status: "pending", detail: null, startedAt: null, finishedAt: null }));
}
