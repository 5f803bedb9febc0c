/**
 * FREQUENCY of a forecast model: how timestamps fall into buckets (steps), how many steps make a
 * season, and the calendar parts a step's time has. Times are wall-clock seconds (a timestamp
 * without time zone read as UTC), so no session setting moves a bucket.
 */
export const FREQUENCIES = ['Y', 'M', 'W', 'D', 'H', '30min', '15min', '10min', '5min', '1min'] as const;
export type Frequency = (typeof FREQUENCIES)[number];

const DAY = 86_400;
/** 1970-01-01 was a Thursday: Monday-based weeks (PostgreSQL's date_trunc('week')) start 3 days before. */
const MONDAY_OFFSET_DAYS = 3;

/**
 * Steps in one season, the lag seasonal naive repeats. Sub-hourly frequencies: one day for 30 and
 * 15 minutes (48, 96 steps), one hour for 10, 5 and 1 minute (6, 12, 60): a day of 5-minute steps
 * (288) is more history than most such series hold.
 */
export const SEASON: Readonly<Record<Frequency, number>> = {
  Y: 1,
  M: 12,
  W: 52,
  D: 7,
  H: 24,
  '30min': 48,
  '15min': 96,
  '10min': 6,
  '5min': 12,
  '1min': 60,
};

function minutes(f: Frequency): number | null {
  const m = /^(\d+)min$/.exec(f);
  return m ? Number(m[1]) : null;
}

/** The bucket a time (wall-clock epoch seconds) falls in: consecutive integers are consecutive steps. */
export function bucketOf(f: Frequency, seconds: number): number {
  const d = new Date(seconds * 1000);
  switch (f) {
    case 'Y':
      return d.getUTCFullYear();
    case 'M':
      return d.getUTCFullYear() * 12 + d.getUTCMonth();
    case 'W':
      return Math.floor((Math.floor(seconds / DAY) + MONDAY_OFFSET_DAYS) / 7);
    case 'D':
      return Math.floor(seconds / DAY);
    case 'H':
      return Math.floor(seconds / 3600);
    default:
      return Math.floor(seconds / (60 * minutes(f)!));
  }
}

/** The start of a bucket, in wall-clock epoch seconds. */
export function bucketStart(f: Frequency, bucket: number): number {
  switch (f) {
    case 'Y':
      return Date.UTC(bucket, 0, 1) / 1000;
    case 'M':
      return Date.UTC(Math.floor(bucket / 12), ((bucket % 12) + 12) % 12, 1) / 1000;
    case 'W':
      return (bucket * 7 - MONDAY_OFFSET_DAYS) * DAY;
    case 'D':
      return bucket * DAY;
    case 'H':
      return bucket * 3600;
    default:
      return bucket * 60 * minutes(f)!;
  }
}

/** Calendar parts of a bucket's start that a season of this frequency can depend on. */
export function calendarFeatures(f: Frequency, bucket: number): number[] {
  const d = new Date(bucketStart(f, bucket) * 1000);
  switch (f) {
    case 'Y':
      return [];
    case 'M':
      return [d.getUTCMonth()];
    case 'W':
      return [Math.floor((d.getTime() - Date.UTC(d.getUTCFullYear(), 0, 1)) / (7 * DAY * 1000))];
    case 'D':
      // Not the day of month or month: with a few months of history they tell the rows apart
      // without meaning anything, and the trees split on them where the weekday would do.
      return [d.getUTCDay()];
    case 'H':
      return [d.getUTCHours(), d.getUTCDay()];
    default:
      return [d.getUTCMinutes(), d.getUTCHours(), d.getUTCDay()];
  }
}

export function calendarWidth(f: Frequency): number {
  return calendarFeatures(f, 0).length;
}
