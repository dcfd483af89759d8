/** Small statistics for benchmark output: medians and tails, never a verdict. */
export function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? NaN;
}

export function summary(values: readonly number[], unit = 'ms', digits = 0): string {
  const format = (value: number) => `${value.toFixed(digits)} ${unit}`;
  const tails = [0.9, 0.99].map((q) => `p${q * 100} ${format(quantile(values, q))}`).join(', ');
  return `median ${format(quantile(values, 0.5))}, ${tails}, min ${format(Math.min(...values))}, max ${format(Math.max(...values))} (n=${values.length})`;
}
