/**
 * The mixed example: the retail customers of customers.ts (same seed, same
 * latent segments, a subset of their numeric columns) with the text columns
 * a real customer table has beside the numbers: region, sales channel,
 * contract, payment method and a churn flag (Yes/No). They are drawn per
 * latent segment, so they tell the segments apart as a marketer would name
 * them ("78% on month-to-month contracts"); Segment describes them per
 * cluster by default. Their draws come from a child stream of the seed, so
 * the numeric columns are exactly those of customers.csv's generator.
 */
import { Random, deriveSeed } from '../src/engine/kernels/random';
import {
  CUSTOMER_COLUMNS,
  DAYS_PER_MONTH,
  DAY_MS,
  REFERENCE_DATE_UTC,
  csvLine,
  labelledRows,
  validate,
  type CsvSource,
  type CustomerTable,
  type GenerateCustomersOptions,
} from './customers';

export const REGIONS = ['North', 'South', 'East', 'West', 'Central'] as const;
export const CHANNELS = ['Store', 'Online', 'App', 'Phone'] as const;
export const CONTRACTS = ['Month-to-month', 'One year', 'Two year'] as const;
export const PAYMENT_METHODS = ['Credit card', 'Direct debit', 'PayPal', 'Bank transfer'] as const;

/** Per latent segment (customers.ts SEGMENT_NAMES): the chance of each level, in the lists' order, and of churn. */
interface TextProfile {
  region: readonly number[];
  channel: readonly number[];
  contract: readonly number[];
  payment: readonly number[];
  churn: number;
}

const PROFILES: Readonly<Record<string, TextProfile>> = {
  'VIP fashion enthusiasts': { region: [0.15, 0.2, 0.15, 0.15, 0.35], channel: [0.35, 0.25, 0.35, 0.05], contract: [0.1, 0.3, 0.6], payment: [0.55, 0.3, 0.1, 0.05], churn: 0.03 },
  'loyal family shoppers': { region: [0.25, 0.2, 0.2, 0.25, 0.1], channel: [0.5, 0.25, 0.15, 0.1], contract: [0.2, 0.45, 0.35], payment: [0.25, 0.55, 0.1, 0.1], churn: 0.06 },
  'bargain hunters': { region: [0.2, 0.2, 0.25, 0.2, 0.15], channel: [0.15, 0.6, 0.2, 0.05], contract: [0.7, 0.2, 0.1], payment: [0.2, 0.15, 0.55, 0.1], churn: 0.18 },
  'lapsed / at-risk': { region: [0.25, 0.25, 0.2, 0.2, 0.1], channel: [0.35, 0.3, 0.05, 0.3], contract: [0.75, 0.2, 0.05], payment: [0.25, 0.2, 0.15, 0.4], churn: 0.55 },
  'new customers': { region: [0.2, 0.2, 0.2, 0.2, 0.2], channel: [0.15, 0.4, 0.4, 0.05], contract: [0.85, 0.12, 0.03], payment: [0.4, 0.1, 0.45, 0.05], churn: 0.2 },
};

/** Share of rows whose region is left empty, to show "(missing)" in the categorical statistics. */
const MISSING_REGION_RATE = 0.01;

/** The numeric columns of customers.ts kept (in its order), after the text ones. */
const NUMERIC_KEPT = ['total_revenue', 'recency_days', 'frequency_per_month', 'avg_order_value', 'return_rate'] as const;

/** The columns, in file order. */
export const MIXED_COLUMNS: readonly string[] = [
  'customer_id',
  'region',
  'channel',
  'contract',
  'payment_method',
  'loyalty_tier',
  'tenure_months',
  ...NUMERIC_KEPT,
  'churn',
];

const column = (name: string) => CUSTOMER_COLUMNS.indexOf(name);

function draw<T>(r: Random, levels: readonly T[], chances: readonly number[]): T {
  let u = r.next();
  for (let i = 0; i < levels.length - 1; i++) {
    if (u < chances[i]) return levels[i];
    u -= chances[i];
  }
  return levels[levels.length - 1];
}

/** Whole months from the signup date to the reference date. */
function tenureMonths(signupDate: string): string {
  const days = (REFERENCE_DATE_UTC - Date.parse(`${signupDate}T00:00:00Z`)) / DAY_MS;
  return String(Math.round(days / DAYS_PER_MONTH));
}

/** The mixed customers one row at a time (fields as strings, header not included). */
export function* mixedCustomerRows(options: GenerateCustomersOptions): Generator<string[], void, undefined> {
  const { seed } = validate(options);
  const r = new Random(deriveSeed(seed, 2));
  for (const { row, segment } of labelledRows(options)) {
    const p = PROFILES[segment];
    const region = draw(r, REGIONS, p.region);
    const channel = draw(r, CHANNELS, p.channel);
    const contract = draw(r, CONTRACTS, p.contract);
    const payment = draw(r, PAYMENT_METHODS, p.payment);
    const churn = r.next() < p.churn ? 'Yes' : 'No';
    const noRegion = r.next() < MISSING_REGION_RATE;
    yield [
      row[column('customer_id')],
      noRegion ? '' : region,
      channel,
      contract,
      payment,
      row[column('loyalty_tier')],
      tenureMonths(row[column('signup_date')]),
      ...NUMERIC_KEPT.map((name) => row[column(name)]),
      churn,
    ];
  }
}

/** The mixed customers in memory. */
export function generateMixedCustomers(options: GenerateCustomersOptions): CustomerTable {
  return { header: [...MIXED_COLUMNS], rows: [...mixedCustomerRows(options)] };
}

/** The whole mixed CSV as one string, as customersCsv writes the other. */
export function mixedCustomersCsv(options: GenerateCustomersOptions): string {
  let out = csvLine(MIXED_COLUMNS);
  for (const row of mixedCustomerRows(options)) out += csvLine(row);
  return out;
}

/** For the streaming writers (writeCustomersCsv, writeCustomersCsvFile). */
export const MIXED_CUSTOMERS: CsvSource = { header: MIXED_COLUMNS, rows: mixedCustomerRows, validate };
