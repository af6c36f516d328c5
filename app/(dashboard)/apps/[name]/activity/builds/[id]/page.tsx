import type { Metadata } from "next";
import { BuildDetails } from "./_components/build-details";

type Props = { params: Promise<{ name: string; id: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  return { title: `Build · ${decodeURIComponent((await params).name)}` };
}

export default async function BuildPage({ params }: Props) {
  const { name, id } = await params;
  return <BuildDetails appName={decodeURIComponent(name)} buildId={decodeURIComponent(id)} />;
}
