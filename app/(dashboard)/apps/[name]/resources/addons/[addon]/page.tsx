import type { Metadata } from "next";
import { AddonDetails } from "./_components/addon-details";

type Props = { params: Promise<{ name: string; addon: string }> };

export async function generateMetadata({ params }: Props): Promise<Metadata> {
  const p = await params;
  return { title: `${decodeURIComponent(p.addon)} · ${decodeURIComponent(p.name)}` };
}

export default async function AddonPage({ params }: Props) {
  const p = await params;
  return <AddonDetails appName={decodeURIComponent(p.name)} addonName={decodeURIComponent(p.addon)} />;
}
