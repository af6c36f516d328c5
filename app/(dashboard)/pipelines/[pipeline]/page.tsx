import type { Metadata } from "next";
import { getServerCaller, orNotFound } from "@/app/_server/session";
import { PipelineView } from "./_components/pipeline-view";

type Props = { params: Promise<{ pipeline: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `${decodeURIComponent((await params).pipeline)} · Pipeline` };
}

export default async function PipelinePage({ params }: Props) {
  const name = decodeURIComponent((await params).pipeline);
  // Unknown pipelines and other people's are the same 404.
  await orNotFound((await getServerCaller()).pipelines.get({ pipeline: name }));
  return <PipelineView name={name} />;
}
