/** Timestamp text forms used by evt.time & co and by alerts. Times are ns since the epoch. */

const NS_PER_SEC = 1_000_000_000n;

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

function split(ts: bigint): { date: Date; ns: string } {
  const secs = ts / NS_PER_SEC;
  const ns = ts % NS_PER_SEC;
  return { date: new Date(Number(secs) * 1000), ns: ns.toString().padStart(9, '0') };
}

/** `HH:MM:SS.nnnnnnnnn` in local time (Falco's evt.time and output prefix). */
export function formatTime(ts: bigint): string {
  const { date, ns } = split(ts);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${ns}`;
}

/** `HH:MM:SS` in local time. */
export function formatTimeSeconds(ts: bigint): string {
  const { date } = split(ts);
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}`;
}

/** `YYYY-MM-DD HH:MM:SS` in local time. */
export function formatDateTimeSeconds(ts: bigint): string {
  const { date } = split(ts);
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ${formatTimeSeconds(ts)}`;
}

/** `YYYY-MM-DD HH:MM:SS.nnnnnnnnn` in local time. */
export function formatDateTime(ts: bigint): string {
  return `${formatDateTimeSeconds(ts)}.${split(ts).ns}`;
}

/** `YYYY-MM-DDTHH:MM:SS.nnnnnnnnnZ` in UTC (alert `time`, evt.time.iso8601). */
export function formatIso8601(ts: bigint): string {
  const { date, ns } = split(ts);
  return `${date.toISOString().slice(0, 19)}.${ns}Z`;
}
