/** Falco rule priorities, most severe first. */
export const PRIORITIES = [
  'EMERGENCY',
  'ALERT',
  'CRITICAL',
  'ERROR',
  'WARNING',
  'NOTICE',
  'INFORMATIONAL',
  'DEBUG',
] as const;
export type Priority = (typeof PRIORITIES)[number];

/** How Falco spells priorities in alerts (`Warning`, `Informational`). */
const DISPLAY: Readonly<Record<Priority, string>> = {
  EMERGENCY: 'Emergency',
  ALERT: 'Alert',
  CRITICAL: 'Critical',
  ERROR: 'Error',
  WARNING: 'Warning',
  NOTICE: 'Notice',
  INFORMATIONAL: 'Informational',
  DEBUG: 'Debug',
};

/** Case-insensitive; `INFO` is accepted for `INFORMATIONAL`, as Falco does. */
export function parsePriority(text: string): Priority | undefined {
  const upper = text.trim().toUpperCase();
  if (upper === 'INFO') return 'INFORMATIONAL';
  return (PRIORITIES as readonly string[]).includes(upper) ? (upper as Priority) : undefined;
}

export function priorityDisplay(p: Priority): string {
  return DISPLAY[p];
}

/** Lower is more severe: EMERGENCY is 0, DEBUG is 7. */
export function priorityRank(p: Priority): number {
  return PRIORITIES.indexOf(p);
}
