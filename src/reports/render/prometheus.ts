/**
 * Text exposition format (for node_exporter's textfile collector): HELP and TYPE once per metric,
 * then its samples. Samples with an unknown (null) value are left out rather than faked as 0.
 */
export interface Sample {
  labels: Record<string, string | null | undefined>;
  value: number | boolean | null | undefined;
}

export class Exposition {
  private readonly lines: string[] = [];

  gauge(name: string, help: string, samples: Sample[]): this {
    const known = samples.filter((s) => s.value !== null && s.value !== undefined);
    if (known.length === 0) return this;
    this.lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const s of known) this.lines.push(`${name}${formatLabels(s.labels)} ${formatValue(s.value as number | boolean)}`);
    return this;
  }

  toString(): string {
    return this.lines.join('\n') + '\n';
  }
}

function formatLabels(labels: Sample['labels']): string {
  const parts = Object.entries(labels)
    .filter(([, v]) => v !== null && v !== undefined)
    .map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"')}"`);
  return parts.length ? `{${parts.join(',')}}` : '';
}

function formatValue(v: number | boolean): string {
  if (typeof v === 'boolean') return v ? '1' : '0';
  if (Number.isNaN(v)) return 'NaN';
  return Number.isInteger(v) ? String(v) : String(Number(v.toFixed(6)));
}
