import type { Metadata } from "next";
import { PageHeader } from "@/components/page-header";
import { NewPipelineDialog } from "./_components/new-pipeline-dialog";
import { PipelineList } from "./_components/pipeline-list";

export const metadata: Metadata = { title: "Pipelines" };

export default function PipelinesPage() {
  return (
    <>
      <PageHeader
        title="Pipelines"
        description="Apps grouped by stage: build once in staging, promote the same build to production, and get a review app per branch."
        actions={<NewPipelineDialog />}
      />
      <PipelineList />
    </>
  );
}
