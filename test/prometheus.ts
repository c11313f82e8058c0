const SAMPLE =
  /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{((?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*)\})? (\S+)$/;
/** What Go's ParseFloat, which Prometheus uses, accepts: numbers, and Inf and NaN in any case. */
const VALUE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?|inf(?:inity)?|nan)$/i;

function toNumber(value: string): number {
  if (/nan/i.test(value)) return NaN;
  if (/inf/i.test(value)) return value.startsWith("-") ? -Infinity : Infinity;
  return Number(value);
}

/**
 * Prometheus text format 0.0.4, strictly: every line is blank, a `# HELP`/`# TYPE` comment, or
 * `name{label="value",…} value`. Samples are keyed with their labels sorted.
 */
export function parsePrometheus(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || /^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* /.test(line)) continue;
    const m = SAMPLE.exec(line);
    if (!m || !VALUE.test(m[3]!)) throw new Error(`not Prometheus text: ${line}`);
    const labels = [...(m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)]
      .map(([, k, v]) => `${k}="${v}"`)
      .sort();
    samples.set(labels.length ? `${m[1]}{${labels.join(",")}}` : m[1]!, toNumber(m[3]!));
  }
  return samples;
}
