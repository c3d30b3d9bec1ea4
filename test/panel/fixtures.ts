/**
 * Profiles for the panel's tests and harness, made by the engine itself
 * (so they have every field a real export has), plus hand-made variants: a
 * hostile column name, a segment_name/persona added as a user or an LLM
 * would, the Neural method's fields, a wide 60-feature × 10-cluster profile.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadDataset, loadDatasetFromText } from '../../src/engine/data/dataset';
import { GaussianMixtureSegmentation, fitGmm, gmmProfile } from '../../src/engine/methods/gmmSegmentation';
import { resolveOptions } from '../../src/engine/methods/options';
import { FuzzyCMeansSegmentation } from '../../src/engine/methods/fuzzySegmentation';
import type { PreparedData } from '../../src/engine/data/prepare';
import type { Profile } from '../../src/engine/profile/profile';
import { Random } from '../../src/engine/kernels/random';
import { preparedFromRaw } from '../helpers/data';
import { runSweep } from '../../src/engine/sweep/sweep';
import { kSelectionDocument } from '../../src/engine/sweep/document';

export const ROOT = resolve(__dirname, '..', '..');
export const EXAMPLE_CSV = join(ROOT, 'examples', 'customers.csv');
export const NOW = new Date(2026, 10, 24, 9, 48, 38);

export const HOSTILE = '<img src=x onerror=alert(1)>';
export const HOSTILE_NAME = '<script>window.__xss = 1</script>Bargain hunters';
export const HOSTILE_PERSONA = 'Buys on sale. <img src=x onerror="window.__xss = 2"> Visits monthly.';

export function clone<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

let example: Promise<PreparedData> | undefined;
export function exampleData(): Promise<PreparedData> {
  example ??= loadDataset(EXAMPLE_CSV);
  return example;
}

export async function exampleGmm(): Promise<Profile> {
  return (await new GaussianMixtureSegmentation({ nClusters: 4 }).generateClusterProfile(await exampleData(), {}, NOW));
}

export async function exampleFuzzy(): Promise<Profile> {
  return (await new FuzzyCMeansSegmentation({ nClusters: 4 }).generateClusterProfile(await exampleData(), {}, NOW));
}

/** A small CSV whose second feature is named like an XSS payload; GMM with 3 clusters. */
export async function hostileGmm(): Promise<Profile> {
  const rng = new Random(11);
  const header = ['customer_id', 'total_revenue', HOSTILE, 'dept_total_value_Accessories & Footwear', 'count_size_M', 'count_Kids'];
  const quote = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const rows = [header.map(quote).join(',')];
  const centers = [
    [300, 2, 50, 3, 1],
    [1500, 8, 400, 9, 6],
    [4000, 15, 1200, 20, 2],
  ];
  const counts = [60, 35, 15];
  let id = 1;
  centers.forEach((c, k) => {
    for (let i = 0; i < counts[k]; i++) {
      const v = c.map((x, j) => Math.max(0, x * (1 + 0.15 * rng.normal())).toFixed(j === 0 || j === 2 ? 2 : 0));
      rows.push([`C${String(id++).padStart(4, '0')}`, ...v].join(','));
    }
  });
  const data = await loadDatasetFromText(rows.join('\n') + '\n', 'hostile <b>customers</b>.csv');
  return (await new GaussianMixtureSegmentation({ nClusters: 3 }).generateClusterProfile(data, {}, NOW));
}

/**
 * The mixed fixture with hostile names where the CSV's text goes: a
 * categorical column named like an XSS payload, whose levels include one and
 * __proto__; GMM with 3 clusters, satisfaction described.
 */
export async function mixedHostileGmm(): Promise<Profile> {
  const csv = readFileSync(join(ROOT, 'test', 'fixtures', 'csv', 'mixed-customers.csv'), 'utf8')
    .replace(',region,', `,"${HOSTILE}",`)
    .replace(/,West,/g, `,"${HOSTILE}",`)
    .replace(/,Central,/g, ',__proto__,');
  const data = await loadDatasetFromText(csv, 'mixed <b>customers</b>.csv', { describe: ['satisfaction'] });
  return await new GaussianMixtureSegmentation({ nClusters: 3 }).generateClusterProfile(data, {}, NOW);
}

/** The profile as a user or an LLM may edit it: a name and a persona for some clusters. */
export function withPersonas(profile: Profile): Profile {
  const p = clone(profile);
  const names = ['Occasional browsers', 'Family shoppers', 'Fashion enthusiasts', 'Big spenders'];
  Object.values(p.clusters).forEach((c, i) => {
    c.segment_name = names[i % names.length];
    if (i === 0) c.persona = 'Shops two or three times a year, mostly in the sales.\n\nResponds to discount e-mails; rarely returns items.';
    if (i === 1) c.persona = { age: '30–45', channel: 'app', motto: 'Kids first' };
  });
  return p;
}

/** The Neural method's fields (../shared/spec/PROFILE.md), added to a real profile, with a loss curve. */
export function asNeural(profile: Profile): Profile {
  const p = clone(profile);
  p.metadata = {
    ...p.metadata,
    method: 'Neural Network (Autoencoder + K-Means)',
    encoding_dim: 8,
    epochs: 60,
    batch_size: 32,
    hidden_layers: [64, 32],
    learning_rate: 0.001,
    backend: 'wasm',
  };
  for (const key of ['covariance_type', 'reg_covar', 'reg_covar_used', 'init_params', 'lower_bound', 'tol', 'max_iter', 'n_init']) delete p.metadata[key];
  p.metrics = {
    silhouette_score: p.metrics.silhouette_score,
    davies_bouldin_index: p.metrics.davies_bouldin_index,
    calinski_harabasz_score: p.metrics.calinski_harabasz_score,
    reconstruction_error: 0.0412,
    latent_silhouette_score: 0.4411,
  };
  const loss = Array.from({ length: 60 }, (_, i) => 0.04 + 0.9 * Math.exp(-i / 9));
  p.loss_history = { loss, val_loss: loss.map((x, i) => x * 1.08 + 0.002 * Math.sin(i)) };
  delete p.mixture_weights;
  delete p.uncertainty_metrics;
  Object.values(p.clusters).forEach((c, i) => {
    for (const key of ['mixture_weight', 'probability_stats', 'covariance_info']) delete c[key];
    c.encoded_space_stats = { mean_distance_to_center: 1.2 + 0.3 * i, std_distance_to_center: 0.4 + 0.05 * i };
  });
  return p;
}

const DEPTS = ['Accessories & Footwear', 'Womenswear', 'Menswear', 'Kids & Baby', 'Home & Living', 'Beauty', 'Sportswear', 'Lingerie & Nightwear', 'Outdoor', 'Gifts'];
const CLASSES = [
  'Bags & Wallets', 'Sneakers', 'Dresses', 'Denim', 'Outerwear', 'Bedding', 'Knitwear', 'Swimwear', 'Tailoring', 'Boots',
  'Jewellery', 'Fragrance', 'Skincare', 'Toys', 'Babygrows', 'Kitchen', 'Candles', 'Running', 'Yoga', 'Socks',
];
const AGES = ['Baby', 'Toddler', 'Kids', 'Teen', 'Adult', 'Senior'];
const SIZES = ['XS', 'S', 'M', 'L', 'XL', 'XXL'];
const OTHER = [
  'total_revenue', 'recency_days', 'frequency_per_month', 'avg_order_value', 'return_rate', 'tenure_months', 'orders_last_year',
  'items_per_order', 'discount_share', 'online_share', 'store_visits', 'newsletter_clicks', 'app_sessions', 'reviews_written',
  'wishlist_items', 'gift_card_spend', 'click_and_collect_share', 'customer_service_contacts',
];

/** The names of the 60 features of the wide profile, in CSV order (mixed, as real exports are). */
export function wideFeatureNames(): string[] {
  return [
    ...OTHER.slice(0, 5),
    ...DEPTS.map((d) => `dept_total_value_${d}`),
    ...CLASSES.map((c) => `class_total_value_${c}`),
    ...AGES.map((a) => `count_${a}`),
    ...SIZES.map((s) => `count_size_${s}`),
    ...OTHER.slice(5),
  ];
}

/** 60 features × 10 clusters: 1,000 rows around 10 centers, fitted with a diagonal GMM. */
/** Synchronous (the fit and profile steps without the async base), for the bench and the browser test's files. */
export function wideGmm(): Profile {
  const names = wideFeatureNames();
  const d = names.length;
  const k = 10;
  const rng = new Random(5);
  const centers = Array.from({ length: k }, () => names.map((_, j) => (j % 7 === 0 ? 1000 : j % 3 === 0 ? 20 : 200) * (0.5 + rng.next())));
  const perCluster = [220, 160, 130, 110, 100, 80, 70, 50, 40, 40];
  const n = perCluster.reduce((a, b) => a + b, 0);
  const raw = new Float64Array(n * d);
  let row = 0;
  centers.forEach((c, ci) => {
    for (let i = 0; i < perCluster[ci]; i++, row++) {
      for (let j = 0; j < d; j++) raw[row * d + j] = Math.max(0, c[j] * (1 + 0.12 * rng.normal()));
    }
  });
  const data = preparedFromRaw(raw, n, d, names);
  data.fileName = 'wide_customers.csv';
  const options = resolveOptions('gmm', { nClusters: k, covarianceType: 'diag' });
  return gmmProfile(data, fitGmm(data, options), options, NOW);
}

/** The mixed example (examples/customers_mixed.csv), tenure_months described: GMM with 4 clusters. */
export async function exampleMixedGmm(): Promise<Profile> {
  const data = await loadDataset(join(ROOT, 'examples', 'customers_mixed.csv'), { describe: ['tenure_months'] });
  return await new GaussianMixtureSegmentation({ nClusters: 4 }).generateClusterProfile(data, {}, NOW);
}

/** A GMM sweep of the example customers, k = 2..8 with full and diag covariance: its k-selection document (as the file holds it). */
export async function exampleKSelection(): Promise<Record<string, unknown>> {
  const data = await exampleData();
  const sweep = await runSweep(data, { method: 'gmm', kRange: [2, 8], covarianceTypes: ['full', 'diag'], options: {} });
  return clone(kSelectionDocument(sweep, data, NOW));
}
