/** WAL positions ("16/B374D848") as bigints, so byte distances stay exact. */
export function parseLsn(text: string | null | undefined): bigint | null {
  if (!text) return null;
  const m = /^([0-9A-F]{1,8})\/([0-9A-F]{1,8})$/i.exec(text.trim());
  if (!m) return null;
  return (BigInt(`0x${m[1]}`) << 32n) + BigInt(`0x${m[2]}`);
}

/**
 * Bytes from `behind` up to `ahead`, never negative: positions are sampled on different servers a
 * few milliseconds apart, and a standby sampled after the primary may already be past it.
 */
export function bytesBetween(ahead: bigint | null, behind: bigint | null): number | null {
  if (ahead === null || behind === null) return null;
  const diff = ahead - behind;
  return diff > 0n ? Number(diff) : 0;
}
