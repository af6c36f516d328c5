import type { SVGProps } from "react";

// Icons for deploys, builds and rollbacks, drawn like those in icons.tsx (16px, Lucide-style
// strokes). Kept apart so this feature's UI did not have to edit the shared icon set.
type IconProps = SVGProps<SVGSVGElement>;

function Icon({ children, ...props }: IconProps) {
  return (
    <svg
      width="16"
      height="16"
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth="2"
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
      {...props}
    >
      {children}
    </svg>
  );
}

export const UploadIcon = (p: IconProps) => <Icon {...p}><path d="M21 15v4a2 2 0 0 1-2 2H5a2 2 0 0 1-2-2v-4M17 8l-5-5-5 5M12 3v12" /></Icon>;
export const ArchiveIcon = (p: IconProps) => <Icon {...p}><rect x="2" y="3" width="20" height="5" rx="1" /><path d="M4 8v11a2 2 0 0 0 2 2h12a2 2 0 0 0 2-2V8M10 12h4" /></Icon>;
export const RollbackIcon = (p: IconProps) => <Icon {...p}><path d="M3 12a9 9 0 1 0 3-6.7L3 8" /><path d="M3 3v5h5" /></Icon>;
export const HammerIcon = (p: IconProps) => <Icon {...p}><path d="m15 12-8.5 8.5a2.1 2.1 0 1 1-3-3L12 9" /><path d="M17.6 15 22 10.6M20.9 11.7 14.3 5.1a1 1 0 0 1 0-1.4l.8-.8a5 5 0 0 1 6.4.6l.3.3a1 1 0 0 1 0 1.4L21 6" /></Icon>;
export const ActivityIcon = (p: IconProps) => <Icon {...p}><path d="M22 12h-4l-3 9L9 3l-3 9H2" /></Icon>;
