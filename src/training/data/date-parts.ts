import { add, type ArithExpr, div, floorDiv, floorMod, input, k, mul, sub } from './arith-expr.ts';

/**
 * The numeric parts a date/time feature becomes. Input is float64 seconds: since the Unix epoch
 * (UTC) for date/timestamp/timestamptz, since midnight for time.
 */
export type TemporalType = 'date' | 'time' | 'timestamp' | 'timestamptz';

export interface DatePart {
  name: string;
  expr: ArithExpr;
}

const SECONDS_PER_DAY = 86400;
const days = floorDiv(input, SECONDS_PER_DAY);
const secondOfDay = sub(input, mul(days, k(SECONDS_PER_DAY)));

/*
 * Civil date from a day count (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms",
 * civil_from_days), written with floor division so it holds before 1970 too. March-based years
 * put the leap day last, which is what makes the month arithmetic linear.
 */
const z = add(days, k(719468));
const era = floorDiv(z, 146097);
const doe = sub(z, mul(era, k(146097))); // day of era, [0, 146096]
const yoe = floorDiv(
  add(sub(doe, floorDiv(doe, 1460)), sub(floorDiv(doe, 36524), floorDiv(doe, 146096))),
  365,
); // year of era, [0, 399]
const doy = sub(doe, add(mul(k(365), yoe), sub(floorDiv(yoe, 4), floorDiv(yoe, 100)))); // [0, 365]
const mp = floorDiv(add(mul(k(5), doy), k(2)), 153); // month from March, [0, 11]
const dayOfMonth = add(sub(doy, floorDiv(add(mul(k(153), mp), k(2)), 5)), k(1));
const marchBased = floorDiv(mp, 10); // 1 for January and February
const month = sub(add(mp, k(3)), mul(k(12), marchBased));
const year = add(add(yoe, mul(era, k(400))), marchBased);
const dayOfWeek = floorMod(add(days, k(4)), 7); // 0 = Sunday; 1970-01-01 was a Thursday

const CALENDAR: DatePart[] = [
  { name: 'year', expr: year },
  { name: 'month', expr: month },
  { name: 'day', expr: dayOfMonth },
  { name: 'dow', expr: dayOfWeek },
];

const PARTS: Record<TemporalType, DatePart[]> = {
  date: [{ name: 'epoch_days', expr: days }, ...CALENDAR],
  timestamp: [
    { name: 'epoch_days', expr: div(input, k(SECONDS_PER_DAY)) },
    ...CALENDAR,
    { name: 'hour', expr: div(secondOfDay, k(3600)) },
  ],
  timestamptz: [],
  time: [{ name: 'hour', expr: div(input, k(3600)) }],
};
PARTS.timestamptz = PARTS.timestamp;

export function datePartsOf(type: TemporalType): DatePart[] {
  return PARTS[type];
}
