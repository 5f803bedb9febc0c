/**
 * date, time, timestamp and timestamptz in binary: date is int32 days since 2000-01-01, time
 * int64 microseconds since midnight, timestamp and timestamptz int64 microseconds since
 * 2000-01-01 00:00:00 (UTC for timestamptz). The extremes of each integer are -infinity and
 * infinity. Text is read and written in the ISO style only (DateStyle ISO, PostgreSQL's default
 * and the one JDBC insists on): other styles give null, and PostgreSQL converts them instead.
 */

/** Days from 1970-01-01 to 2000-01-01, PostgreSQL's epoch. */
const EPOCH_DAYS = 10_957;
const DAY_MICROS = 86_400_000_000n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const INT32_MIN = -(2 ** 31);
const INT32_MAX = 2 ** 31 - 1;

const DATE = /^(\d{4,})-(\d\d)-(\d\d)( BC)?$/;
const TIME = /^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?$/;
const TIMESTAMP = /^(\d{4,})-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)(?:\.(\d{1,6}))?(?:([+-])(\d\d)(?::(\d\d))?(?::(\d\d))?)?( BC)?$/;

export function encodeDate(text: string): Buffer | null {
  const out = Buffer.alloc(4);
  if (text === 'infinity' || text === '-infinity') {
    out.writeInt32BE(text === 'infinity' ? INT32_MAX : INT32_MIN);
    return out;
  }
  const m = DATE.exec(text);
  if (!m) return null;
  out.writeInt32BE(daysFromCivil(year(m[1], m[4]), Number(m[2]), Number(m[3])) - EPOCH_DAYS);
  return out;
}

export function decodeDate(bytes: Buffer): string | null {
  if (bytes.length !== 4) return null;
  const days = bytes.readInt32BE(0);
  if (days === INT32_MAX) return 'infinity';
  if (days === INT32_MIN) return '-infinity';
  return dateText(days + EPOCH_DAYS);
}

export function encodeTime(text: string): Buffer | null {
  const m = TIME.exec(text);
  if (!m) return null;
  const out = Buffer.alloc(8);
  out.writeBigInt64BE(clockMicros(m[1], m[2], m[3], m[4]));
  return out;
}

export function decodeTime(bytes: Buffer): string | null {
  if (bytes.length !== 8) return null;
  return clockText(bytes.readBigInt64BE(0));
}

/** timestamp (`zone` false) or timestamptz (`zone` true: the text must carry its UTC offset). */
export function encodeTimestamp(text: string, zone: boolean): Buffer | null {
  const out = Buffer.alloc(8);
  if (text === 'infinity' || text === '-infinity') {
    out.writeBigInt64BE(text === 'infinity' ? INT64_MAX : INT64_MIN);
    return out;
  }
  const m = TIMESTAMP.exec(text);
  if (!m || (m[8] !== undefined) !== zone) return null;
  const days = daysFromCivil(year(m[1], m[12]), Number(m[2]), Number(m[3])) - EPOCH_DAYS;
  let micros = BigInt(days) * DAY_MICROS + clockMicros(m[4], m[5], m[6], m[7]);
  if (zone) {
    const offset = (Number(m[9]) * 3600 + Number(m[10] ?? 0) * 60 + Number(m[11] ?? 0)) * (m[8] === '-' ? -1 : 1);
    micros -= BigInt(offset) * 1_000_000n;
  }
  out.writeBigInt64BE(micros);
  return out;
}

/** Text PostgreSQL reads back as the same value whatever its DateStyle; timestamptz in UTC. */
export function decodeTimestamp(bytes: Buffer, zone: boolean): string | null {
  if (bytes.length !== 8) return null;
  const micros = bytes.readBigInt64BE(0);
  if (micros === INT64_MAX) return 'infinity';
  if (micros === INT64_MIN) return '-infinity';
  let days = micros / DAY_MICROS;
  let rest = micros % DAY_MICROS;
  if (rest < 0n) {
    rest += DAY_MICROS;
    days -= 1n;
  }
  const date = dateText(Number(days) + EPOCH_DAYS);
  const bc = date.endsWith(' BC');
  return `${bc ? date.slice(0, -3) : date} ${clockText(rest)}${zone ? '+00' : ''}${bc ? ' BC' : ''}`;
}

function year(digits: string, bc: string | undefined): number {
  return bc ? 1 - Number(digits) : Number(digits);
}

function clockMicros(h: string, m: string, s: string, fraction: string | undefined): bigint {
  const seconds = Number(h) * 3600 + Number(m) * 60 + Number(s);
  return BigInt(seconds) * 1_000_000n + BigInt((fraction ?? '').padEnd(6, '0') || '0');
}

function clockText(micros: bigint): string {
  const seconds = Number(micros / 1_000_000n);
  const fraction = Number(micros % 1_000_000n);
  const two = (n: number) => String(n).padStart(2, '0');
  const clock = `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  return fraction === 0 ? clock : `${clock}.${String(fraction).padStart(6, '0').replace(/0+$/, '')}`;
}

/** YYYY-MM-DD of days since 1970-01-01, with " BC" for years before 1, as PostgreSQL writes it. */
function dateText(days: number): string {
  const [y, m, d] = civilFromDays(days);
  const two = (n: number) => String(n).padStart(2, '0');
  const shown = y > 0 ? y : 1 - y;
  return `${String(shown).padStart(4, '0')}-${two(m)}-${two(d)}${y > 0 ? '' : ' BC'}`;
}

// Proleptic Gregorian calendar arithmetic (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").

function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146_097 + doe - 719_468;
}

function civilFromDays(days: number): [number, number, number] {
  const z = days + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? yoe + era * 400 + 1 : yoe + era * 400, m, d];
}
