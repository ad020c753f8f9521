import kleur from 'kleur';
import { formatSeconds } from '../../util/duration';
import { STATUS_EXIT_CODE, type Status } from '../status';
import { renderJsonDocument } from '../../output/json';

export { formatBytes } from '../../util/size';

export const DASH = '—';

export function formatAge(seconds: number | null | undefined): string {
  return seconds === null || seconds === undefined ? DASH : formatSeconds(Math.max(0, seconds));
}

export function colourStatus(status: Status, text: string = status): string {
  switch (status) {
    case 'OK':
      return kleur.green(text);
    case 'WARNING':
      return kleur.yellow(text);
    case 'CRITICAL':
      return kleur.red().bold(text);
    default:
      return kleur.magenta(text);
  }
}

/** One summary line under every table: overall status and when the data was read. */
export function summaryLine(report: string, status: Status, generatedAt: Date, counts: Record<Status, number>): string {
  const parts = (['CRITICAL', 'UNKNOWN', 'WARNING', 'OK'] as const).filter((s) => counts[s] > 0).map((s) => `${counts[s]} ${s}`);
  return `${colourStatus(status, `${report}: ${status}`)} (${parts.join(', ') || 'no nodes'}) at ${generatedAt.toISOString()}`;
}

/** The JSON document both reports print: the envelope, what, when, the verdict and exit code, then the report's own fields. */
export function jsonDocument(report: string, head: { generatedAt: Date; status: Status }, body: Record<string, unknown>): string {
  return renderJsonDocument({ report, generatedAt: head.generatedAt.toISOString(), status: head.status, exitCode: STATUS_EXIT_CODE[head.status], ...body });
}
