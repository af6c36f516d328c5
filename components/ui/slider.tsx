import type { ComponentProps, CSSProperties } from "react";
import { cn } from "@/components/ui/cn";

type SliderProps = Omit<ComponentProps<"input">, "type" | "value" | "onChange" | "min" | "max"> & {
  value: number;
  min?: number;
  max: number;
  onValueChange: (value: number) => void;
};

/**
 * A native range input, styled: arrow keys, Page Up/Down, Home/End and touch all work
 * as the browser gives them. The filled part of the track follows the value.
 */
export function Slider({ value, min = 0, max, onValueChange, className, style, ...props }: SliderProps) {
  const fill = max > min ? ((value - min) / (max - min)) * 100 : 0;
  return (
    <input
      type="range"
      min={min}
      max={max}
      step={1}
      value={value}
      onChange={(e) => onValueChange(Number(e.target.value))}
      style={{ "--fill": `${fill}%`, ...style } as CSSProperties}
      className={cn(
        "h-6 w-full min-w-0 cursor-pointer appearance-none rounded-full bg-transparent disabled:cursor-not-allowed disabled:opacity-55",
        "[&::-webkit-slider-runnable-track]:h-1.5 [&::-webkit-slider-runnable-track]:rounded-full",
        "[&::-webkit-slider-runnable-track]:bg-[linear-gradient(to_right,var(--primary)_var(--fill),var(--border-strong)_var(--fill))]",
        "[&::-webkit-slider-thumb]:-mt-[5px] [&::-webkit-slider-thumb]:size-4 [&::-webkit-slider-thumb]:appearance-none [&::-webkit-slider-thumb]:rounded-full",
        "[&::-webkit-slider-thumb]:border-2 [&::-webkit-slider-thumb]:border-primary [&::-webkit-slider-thumb]:bg-surface [&::-webkit-slider-thumb]:shadow-sm",
        "[&::-moz-range-track]:h-1.5 [&::-moz-range-track]:rounded-full [&::-moz-range-track]:bg-border-strong",
        "[&::-moz-range-progress]:h-1.5 [&::-moz-range-progress]:rounded-full [&::-moz-range-progress]:bg-primary",
        "[&::-moz-range-thumb]:size-3 [&::-moz-range-thumb]:rounded-full [&::-moz-range-thumb]:border-2 [&::-moz-range-thumb]:border-primary [&::-moz-range-thumb]:bg-surface",
        className,
      )}
      {...props}
    />
  );
}
