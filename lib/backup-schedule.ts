import { Cron } from 'croner';

/** Start of the window over which a schedule's runs are laid out: fixed, so the render is deterministic. */
const WINDOW_START = new Date('2025-01-06T00:00:00Z'); // a Monday
/** Long enough for every weekly pattern, and for a monthly one to run twice. */
const WINDOW_DAYS = 64;

/** Is `schedule` a five-field cron expression Kubernetes accepts? (Kubernetes has no seconds field.) */
export function isCronSchedule(schedule: string): boolean {
  if (schedule.trim().split(/\s+/).length !== 5) return false;
  try {
    return longestGapSeconds(schedule) > 0;
  } catch {
    return false;
  }
}

/** Every data store and the environment schema ask for the same few schedules: each is laid out once. */
const gaps = new Map<string, { seconds: number } | { error: unknown }>();

/**
 * The longest time between two runs of a cron schedule (UTC), in seconds: how old the last backup may be,
 * at worst, when the next one starts. `0 2 * * 1-5` gives 3 days (Friday to Monday), not one.
 */
export function longestGapSeconds(schedule: string): number {
  let gap = gaps.get(schedule);
  if (gap === undefined) {
    try {
      gap = { seconds: computeLongestGap(schedule) };
    } catch (error) {
      gap = { error };
    }
    gaps.set(schedule, gap);
  }
  if ('error' in gap) throw gap.error;
  return gap.seconds;
}

function computeLongestGap(schedule: string): number {
  // UTC as a fixed offset: croner's `timezone` goes through Intl for every run, some 30 times slower.
  const cron = new Cron(schedule, { utcOffset: 0, paused: true });
  const end = WINDOW_START.getTime() + WINDOW_DAYS * 86400_000;
  let previous = cron.nextRun(WINDOW_START);
  let longest = 0;
  for (let next = previous && cron.nextRun(previous); previous && next && previous.getTime() < end; previous = next, next = cron.nextRun(next)) {
    longest = Math.max(longest, next.getTime() - previous.getTime());
  }
  if (longest === 0) throw new Error(`cron schedule '${schedule}' runs less than twice in ${WINDOW_DAYS} days`);
  return longest / 1000;
}
