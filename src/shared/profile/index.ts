/**
 * The cluster panel's view model: from profiles as read from disk (JSON or
 * YAML, possibly edited by hand or by a language model) to everything the
 * panel shows and the language-model prompt (src/engine/llm/prompt.ts) tells,
 * already checked, derived and formatted. Pure: no DOM, no vscode, no I/O,
 * so the extension host, the webview, the CLI and plain Node tests all run
 * the same code.
 *
 * A missing or wrongly typed field becomes a readable message in the model
 * (ProfileView.problems), never an exception. A profile that cannot be shown
 * at all has status 'error' and says why in ProfileView.errors.
 */
export * from './types';
export { buildPanelModel } from './panelModel';
export { buildProfileView } from './view';
export { groupOf, orderFeatures } from './features';
export { GROUP_LABELS } from './labels';
export { HEAT_LIFT_CAP, HEAT_Z_CAP, mostDistinctiveLevel, orderHeatRows } from './heatmap';
export { liftText } from './categories';
export { buildKSelectionView, criterionText, isKSelectionDocument } from './kSelection';
export type { KChartView, KExportView, KPointView, KRecommendationView, KSelectionView, KSeriesView } from './kSelection';
