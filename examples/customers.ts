/**
 * A seeded generator of realistic retail customers, for the examples and
 * tests. Every customer is drawn from one of five latent segments (not a
 * column: finding them is the tool's job), and every random draw comes from
 * the engine's `Random`, so the same options always give the same bytes.
 *
 * Rows are produced one at a time (`customerRows`), so a 200k-row file can be
 * streamed to disk in chunks (`writeCustomersCsv`) without building one giant
 * string; `generateCustomers` and `customersCsv` are the in-memory versions.
 */
import { once } from 'node:events';
import { createWriteStream } from 'node:fs';
import type { Writable } from 'node:stream';
import { Random, deriveSeed } from '../src/engine/kernels/random';

export interface GenerateCustomersOptions {
  /** Number of customers (data rows), a positive integer. */
  rows: number;
  /** Any integer; the same seed gives the same customers. */
  seed: number;
  /**
   * Fraction of rows (0..1) with one missing cell, in `avg_order_value` or
   * `return_rate`, written as an empty field or `NA`. Default 0.006 (3 rows
   * in 500).
   */
  missingRate?: number;
}

export interface CustomerTable {
  header: string[];
  rows: string[][];
}

export const DEFAULT_MISSING_RATE = 0.006;

export const DEPARTMENTS = ['Accessories & Footwear', 'Womenswear', 'Menswear', 'Kids & Baby', 'Home & Living'] as const;
export const CLASSES = ['Bags & Wallets', 'Sneakers', 'Dresses', 'Denim', 'Outerwear', 'Bedding'] as const;
export const AGE_GROUPS = ['Baby', 'Kids', 'Teen', 'Adult'] as const;
export const SIZES = ['S', 'M', 'L', 'XL'] as const;

/** The columns, in file order. */
export const CUSTOMER_COLUMNS: readonly string[] = [
  'customer_id',
  'first_name',
  'city',
  'loyalty_tier',
  'signup_date',
  'favourite_store',
  'total_revenue',
  'recency_days',
  'frequency_per_month',
  'avg_order_value',
  'return_rate',
  ...DEPARTMENTS.map((d) => `dept_total_value_${d}`),
  ...CLASSES.map((c) => `class_total_value_${c}`),
  ...AGE_GROUPS.map((a) => `count_${a}`),
  ...SIZES.map((s) => `count_size_${s}`),
];

/** Dates are counted back from this fixed day, never from "today", so output never drifts. */
export const REFERENCE_DATE_UTC = Date.UTC(2025, 5, 30); // 2025-06-30
export const DAY_MS = 86_400_000;
export const DAYS_PER_MONTH = 30.44;
/** Revenue and frequency cover at most the last 24 months. */
const WINDOW_DAYS = 730;

const FIRST_NAMES = [
  'Olivia', 'Liam', 'Amelia', 'Noah', 'Isla', 'Oliver', 'Ava', 'Elijah', 'Mia', 'James',
  'Sophia', 'Lucas', 'Grace', 'Mateo', 'Freya', 'Arjun', 'Chloe', 'Leo', 'Zara', 'Ethan',
  'Priya', 'Samuel', 'Hannah', 'Daniel', 'Aisha', 'Jack', 'Emily', 'Omar', 'Ruby', 'Henry',
  'Yuki', 'Thomas', 'Lucia', 'Kofi', 'Ella', 'Max', 'Ines', 'Ravi', 'Nora', 'Felix',
];
const CITIES = [
  'London', 'Manchester', 'Birmingham', 'Leeds', 'Glasgow', 'Bristol', 'Liverpool', 'Edinburgh',
  'Cardiff', 'Belfast', 'Newcastle', 'Brighton', 'Nottingham', 'Sheffield', 'Leicester',
];
/** Some contain a comma or a double quote, to exercise CSV quoting. */
const STORES = [
  'Main St, Downtown',
  '"The Loft" Outlet',
  'Riverside Mall',
  'Online',
  'Harbour View, Pier 3',
  'Westfield Centre',
  'King\'s Road "Flagship", Chelsea',
  'Station Arcade',
];

const TIERS = ['Bronze', 'Silver', 'Gold', 'Platinum'] as const;
const TIER_THRESHOLDS = [800, 3000, 10_000]; // revenue at which Silver, Gold, Platinum start

interface Segment {
  name: string;
  weight: number;
  /** Recency in days, given the tenure in days. */
  recency(r: Random, tenureDays: number): number;
  /** Days since signup. */
  tenure(r: Random): number;
  /** Median orders per month while active. */
  freqMedian: number;
  /** Median order value. */
  aovMedian: number;
  /** Median share of value returned. */
  returnMedian: number;
  /** Median items per order. */
  itemsPerOrder: number;
  /** Base shares of spend per department, in DEPARTMENTS order. */
  deptShares: readonly number[];
  /** Base shares of items per age group, in AGE_GROUPS order. */
  ageShares: readonly number[];
  /** Chance that the loyalty tier lags one step behind the spend (lapsed customers). */
  tierDowngrade: number;
  /** Bias of the class shares within departments: [bags, sneakers, dresses]. */
  classBias: readonly number[];
}

/** Exponential-ish integer in [lo, hi], mean about lo + scale. */
function skewedInt(r: Random, lo: number, hi: number, scale: number): number {
  let u = 0;
  while (u === 0) u = r.next();
  return Math.min(hi, lo + Math.floor(-scale * Math.log(u)));
}

const SEGMENTS: readonly Segment[] = [
  {
    name: 'VIP fashion enthusiasts',
    weight: 0.12,
    tenure: (r) => 365 + r.int(2200),
    recency: (r) => skewedInt(r, 1, 30, 7),
    freqMedian: 3.5,
    aovMedian: 185,
    returnMedian: 0.04,
    itemsPerOrder: 2.2,
    deptShares: [0.36, 0.36, 0.14, 0.04, 0.1],
    ageShares: [0.02, 0.04, 0.06, 0.88],
    tierDowngrade: 0,
    classBias: [1.3, 1.1, 1.4],
  },
  {
    name: 'loyal family shoppers',
    weight: 0.24,
    tenure: (r) => 300 + r.int(2200),
    recency: (r) => skewedInt(r, 2, 60, 14),
    freqMedian: 2,
    aovMedian: 80,
    returnMedian: 0.07,
    itemsPerOrder: 3,
    deptShares: [0.08, 0.14, 0.1, 0.46, 0.22],
    ageShares: [0.26, 0.36, 0.1, 0.28],
    tierDowngrade: 0,
    classBias: [0.8, 1, 0.9],
  },
  {
    name: 'bargain hunters',
    weight: 0.24,
    tenure: (r) => 180 + r.int(1800),
    recency: (r) => skewedInt(r, 3, 120, 28),
    freqMedian: 1.8,
    aovMedian: 32,
    returnMedian: 0.27,
    itemsPerOrder: 2.6,
    deptShares: [0.16, 0.3, 0.3, 0.14, 0.1],
    ageShares: [0.04, 0.12, 0.22, 0.62],
    tierDowngrade: 0,
    classBias: [0.7, 1.3, 0.8],
  },
  {
    name: 'lapsed / at-risk',
    weight: 0.22,
    tenure: (r) => 400 + r.int(2100),
    recency: (r) => 150 + r.int(216),
    freqMedian: 1,
    aovMedian: 72,
    returnMedian: 0.12,
    itemsPerOrder: 1.8,
    deptShares: [0.14, 0.3, 0.26, 0.1, 0.2],
    ageShares: [0.04, 0.08, 0.1, 0.78],
    tierDowngrade: 0.5,
    classBias: [1, 1, 1],
  },
  {
    name: 'new customers',
    weight: 0.18,
    tenure: (r) => 7 + r.int(84),
    recency: (r, tenure) => 1 + r.int(Math.min(tenure, 45)),
    freqMedian: 1.2,
    aovMedian: 58,
    returnMedian: 0.1,
    itemsPerOrder: 1.6,
    deptShares: [0.26, 0.3, 0.2, 0.1, 0.14],
    ageShares: [0.06, 0.1, 0.16, 0.68],
    tierDowngrade: 0,
    classBias: [1, 1.2, 1],
  },
];

/** The latent segment names (not written to the file). */
export const SEGMENT_NAMES: readonly string[] = SEGMENTS.map((s) => s.name);

function lognormal(r: Random, median: number, sigma: number): number {
  return median * Math.exp(sigma * r.normal());
}

function uniform(r: Random, lo: number, hi: number): number {
  return lo + (hi - lo) * r.next();
}

export function pick<T>(r: Random, items: readonly T[]): T {
  return items[r.int(items.length)];
}

function pickSegment(r: Random): Segment {
  let u = r.next();
  for (const s of SEGMENTS) {
    if (u < s.weight) return s;
    u -= s.weight;
  }
  return SEGMENTS[SEGMENTS.length - 1];
}

/** Base shares jittered per customer; shares below `floor` dropped to 0; renormalised to sum to `total`. */
function jitterShares(r: Random, base: readonly number[], sigma: number, floor: number, total: number): number[] {
  const w = base.map((b) => b * Math.exp(sigma * r.normal()));
  let sum = w.reduce((a, b) => a + b, 0);
  for (let i = 0; i < w.length; i++) if (w[i] / sum < floor) w[i] = 0;
  sum = w.reduce((a, b) => a + b, 0);
  return w.map((x) => (x / sum) * total);
}

/** Split integer `n` by `shares` (summing to 1) with largest remainders, so the parts sum to n. */
function apportion(n: number, shares: readonly number[]): number[] {
  const raw = shares.map((s) => s * n);
  const parts = raw.map(Math.floor);
  let left = n - parts.reduce((a, b) => a + b, 0);
  const order = raw.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; left > 0; k = (k + 1) % order.length, left--) parts[order[k][1]]++;
  return parts;
}

function money(x: number): string {
  return (Math.round(x * 100) / 100).toFixed(2);
}

function isoDate(daysBeforeReference: number): string {
  return new Date(REFERENCE_DATE_UTC - daysBeforeReference * DAY_MS).toISOString().slice(0, 10);
}

export function validate(options: GenerateCustomersOptions): Required<GenerateCustomersOptions> {
  const { rows, seed } = options;
  const missingRate = options.missingRate ?? DEFAULT_MISSING_RATE;
  if (!Number.isInteger(rows) || rows < 1) throw new RangeError(`rows must be a positive integer, got ${rows}`);
  if (!Number.isInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
  if (!(missingRate >= 0 && missingRate <= 1)) throw new RangeError(`missingRate must be between 0 and 1, got ${missingRate}`);
  return { rows, seed, missingRate };
}

/** One customer's fields, in CUSTOMER_COLUMNS order (before any cell is blanked). */
function makeCustomer(r: Random, seg: Segment, id: string): string[] {

  const tenureDays = seg.tenure(r);
  const recencyDays = Math.min(seg.recency(r, tenureDays), tenureDays);
  const windowDays = Math.min(tenureDays, WINDOW_DAYS);
  const activeMonths = (windowDays - recencyDays) / DAYS_PER_MONTH;

  const orders = Math.max(1, Math.round(lognormal(r, seg.freqMedian, 0.35) * activeMonths));
  const revenue = Math.round(orders * lognormal(r, seg.aovMedian, 0.3) * 100) / 100;
  const aov = revenue / orders;
  const frequency = orders / Math.max(1, windowDays / DAYS_PER_MONTH);
  const returnRate = Math.min(0.95, lognormal(r, seg.returnMedian, 0.45));

  // Spend by department: a few percent goes to departments not listed (beauty,
  // gift cards), so the department columns sum to roughly, not exactly, the total.
  const otherShare = uniform(r, 0.02, 0.08);
  const dept = jitterShares(r, seg.deptShares, 0.4, 0.03, 1 - otherShare).map((s) => s * revenue);
  const [accessories, womens, mens, kids, home] = dept;
  const [bagBias, sneakerBias, dressBias] = seg.classBias;
  const classes = [
    accessories * uniform(r, 0.12, 0.36) * bagBias, // Bags & Wallets
    accessories * uniform(r, 0.12, 0.36) * sneakerBias, // Sneakers
    womens * uniform(r, 0.1, 0.3) * dressBias, // Dresses
    womens * uniform(r, 0.08, 0.25) + mens * uniform(r, 0.15, 0.4), // Denim
    womens * uniform(r, 0.05, 0.2) + mens * uniform(r, 0.1, 0.3) + kids * uniform(r, 0, 0.15), // Outerwear
    home * uniform(r, 0.2, 0.6), // Bedding
  ];

  // Items by age group follow the Kids & Baby share of this customer's spend.
  const items = Math.max(1, Math.round(orders * lognormal(r, seg.itemsPerOrder, 0.2)));
  const kidsShare = revenue > 0 ? kids / revenue : 0;
  const kidsLift = kidsShare / seg.deptShares[3];
  const ageWeights = seg.ageShares.map((s, i) => s * (i < 2 ? kidsLift : 1) * Math.exp(0.3 * r.normal()));
  const ageTotal = ageWeights.reduce((a, b) => a + b, 0);
  const ageCounts = apportion(items, ageWeights.map((w) => w / ageTotal));

  // Sized clothing for teens and adults: mostly one preferred size, some either side.
  const sized = Math.round((ageCounts[2] + ageCounts[3]) * uniform(r, 0.55, 0.9));
  const u = r.next();
  const preferred = u < 0.22 ? 0 : u < 0.58 ? 1 : u < 0.86 ? 2 : 3;
  const sizeWeights = SIZES.map((_, i) => {
    const gap = Math.abs(i - preferred);
    return (gap === 0 ? 1 : gap === 1 ? 0.18 : 0.03) * Math.exp(0.3 * r.normal());
  });
  const sizeTotal = sizeWeights.reduce((a, b) => a + b, 0);
  const sizeCounts = apportion(sized, sizeWeights.map((w) => w / sizeTotal));

  let tier = TIER_THRESHOLDS.filter((t) => revenue * Math.exp(0.25 * r.normal()) >= t).length;
  if (tier > 0 && r.next() < seg.tierDowngrade) tier--;

  return [
    id,
    pick(r, FIRST_NAMES),
    pick(r, CITIES),
    TIERS[tier],
    isoDate(tenureDays),
    pick(r, STORES),
    money(revenue),
    String(recencyDays),
    frequency.toFixed(2),
    money(aov),
    returnRate.toFixed(3),
    ...dept.map(money),
    ...classes.map(money),
    ...ageCounts.map(String),
    ...sizeCounts.map(String),
  ];
}

const AOV_COLUMN = CUSTOMER_COLUMNS.indexOf('avg_order_value');
const RETURN_COLUMN = CUSTOMER_COLUMNS.indexOf('return_rate');

export interface LabelledRow {
  row: string[];
  segment: string;
}

export function* labelledRows(options: GenerateCustomersOptions): Generator<LabelledRow, void, undefined> {
  const { rows, seed, missingRate } = validate(options);
  // The rows with a missing cell, round(rows × missingRate) of them, come from
  // a child stream of the seed so they do not disturb the customers' draws.
  const missing = new Random(deriveSeed(seed, 1)).sampleIndices(rows, Math.round(rows * missingRate));
  const r = new Random(seed);
  const width = Math.max(5, String(rows).length);
  let m = 0;
  for (let i = 0; i < rows; i++) {
    const seg = pickSegment(r);
    const row = makeCustomer(r, seg, `C${String(i + 1).padStart(width, '0')}`);
    if (m < missing.length && missing[m] === i) {
      // Alternate the column; the empty-field and NA spellings alternate in pairs.
      row[m % 2 === 0 ? AOV_COLUMN : RETURN_COLUMN] = Math.floor(m / 2) % 2 === 0 ? '' : 'NA';
      m++;
    }
    yield { row, segment: seg.name };
  }
}

/** The customers one row at a time (fields as strings, header not included). */
export function* customerRows(options: GenerateCustomersOptions): Generator<string[], void, undefined> {
  for (const { row } of labelledRows(options)) yield row;
}

/**
 * The latent segment (one of SEGMENT_NAMES) of each generated row, in row
 * order: the ground truth a clustering can be scored against. Never written
 * to the CSV.
 */
export function latentSegments(options: GenerateCustomersOptions): string[] {
  return Array.from(labelledRows(options), (l) => l.segment);
}

/** All customers in memory. */
export function generateCustomers(options: GenerateCustomersOptions): CustomerTable {
  return { header: [...CUSTOMER_COLUMNS], rows: [...customerRows(options)] };
}

/** One CSV field, quoted per RFC 4180 when it holds a comma, a quote or a line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** One CSV line, with its `\n`. */
export function csvLine(fields: readonly string[]): string {
  return fields.map(csvField).join(',') + '\n';
}

/** The whole CSV as one string: header line, `\n` line endings, a final `\n`. */
export function customersCsv(options: GenerateCustomersOptions): string {
  let out = csvLine(CUSTOMER_COLUMNS);
  for (const row of customerRows(options)) out += csvLine(row);
  return out;
}

/** What a CSV writer streams: its header and its rows, made afresh for each write. */
export interface CsvSource {
  header: readonly string[];
  rows(options: GenerateCustomersOptions): Iterable<string[]>;
  validate(options: GenerateCustomersOptions): void;
}

/** The retail customers (CUSTOMER_COLUMNS). */
export const CUSTOMERS: CsvSource = { header: CUSTOMER_COLUMNS, rows: customerRows, validate };

/**
 * Streams the CSV to `out` in chunks of about `chunkChars` characters,
 * waiting for 'drain' when the stream's buffer is full. Does not end `out`.
 * The bytes are exactly those of `customersCsv(options)` (of the source's
 * whole CSV).
 */
export async function writeCustomersCsv(
  out: Writable,
  options: GenerateCustomersOptions,
  chunkChars = 64 * 1024,
  source: CsvSource = CUSTOMERS,
): Promise<void> {
  const write = (chunk: string): Promise<void> =>
    new Promise((resolve, reject) => {
      const onError = (err: Error): void => reject(err);
      out.once('error', onError);
      const settle = (): void => {
        out.off('error', onError);
        resolve();
      };
      if (out.write(chunk, 'utf8')) settle();
      else out.once('drain', settle);
    });

  let chunk = csvLine(source.header);
  for (const row of source.rows(options)) {
    chunk += csvLine(row);
    if (chunk.length >= chunkChars) {
      await write(chunk);
      chunk = '';
    }
  }
  if (chunk.length > 0) await write(chunk);
}

/**
 * Streams the CSV into the file at `path`. Refuses (EEXIST) to replace an
 * existing file unless `force` is set; the file is complete and closed when
 * the promise resolves.
 */
export async function writeCustomersCsvFile(
  path: string,
  options: GenerateCustomersOptions,
  { force = false, source = CUSTOMERS }: { force?: boolean; source?: CsvSource } = {},
): Promise<void> {
  source.validate(options);
  const out = createWriteStream(path, { flags: force ? 'w' : 'wx', encoding: 'utf8' });
  await once(out, 'open'); // rejects with EEXIST when the file is there and force is off
  try {
    await writeCustomersCsv(out, options, undefined, source);
    out.end();
    await once(out, 'close');
  } catch (err) {
    out.destroy();
    throw err;
  }
}
