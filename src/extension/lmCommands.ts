/**
 * From a profile to segment names and personas, in VS Code:
 * - Segment: Copy LLM Prompt (segment.copyLlmPrompt): the prompt of
 *   `segment prompt` for a profile, on the clipboard and in an untitled
 *   Markdown document, to paste into any chat model.
 * - Segment: Describe Segments with AI (segment.describeSegments): the same
 *   prompt sent to a language model of VS Code's Language Model API
 *   (vscode.lm), the answer streamed into {method}_segment_report_{ts}.md
 *   beside the profile, then, if the user agrees, each cluster's
 *   segment_name and persona written into the profile's JSON and YAML.
 *
 * Only the profile's aggregates leave the machine (sizes, centers, z-scores,
 * the method's diagnostics): never a customer's row or id. Whatever goes
 * wrong (no model, no consent, quota, cancel, an answer without the JSON
 * block), the profile files stay as they were and an abandoned report leaves
 * nothing behind.
 *
 * Both commands return what they did (an outcome), for the tests; the tests
 * also answer the messages (LlmHooks.respond) and may replace the model
 * source (LlmHooks.models).
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
// The engine's modules one by one, not its index: the index brings in the clustering methods (and TensorFlow.js).
import { isSegmentError } from '../engine/errors';
import type { Profile } from '../engine/profile/profile';
import { buildSegmentPrompt, PROMPT_DEFAULTS, type SegmentPrompt } from '../engine/llm/prompt';
import { applySegmentNames, parseSegmentNames, profilePair, replaceProfileFiles, reportPathFor, ReportWriter, type SegmentName } from '../engine/profile/segmentNames';
import { groupRuns, isProfileUri, profilesInFolder, profilesInWorkspace, readProfile, stampText } from './profiles';
import { isCsvUri } from './target';

export const LLM_COMMANDS = {
  copyPrompt: 'segment.copyLlmPrompt',
  describe: 'segment.describeSegments',
} as const;

/** globalState key of the model last picked (its id). */
export const MODEL_MEMORY_KEY = 'segment.languageModel';

export const WRITE_NAMES = 'Write Names';
export const NOT_NOW = 'Not Now';
export const COPY_INSTEAD = 'Copy Prompt Instead';

export type MessageKind = 'info' | 'warning' | 'error';

/** A message the commands showed, with the buttons offered (for the tests). */
export interface ShownMessage {
  kind: MessageKind;
  text: string;
  detail?: string;
  modal: boolean;
  items: string[];
}

export interface CopyOutcome {
  status: 'done' | 'dismissed' | 'failed';
  profile?: string;
  prompt?: SegmentPrompt;
  error?: string;
}

export interface DescribeOutcome {
  status: 'done' | 'dismissed' | 'noModel' | 'noPermission' | 'blocked' | 'cancelled' | 'failed';
  profile?: string;
  model?: string;
  /** The report written (kept even when no names could be read from it). */
  report?: string;
  names?: SegmentName[];
  /** Names were written into both profile files. */
  namesWritten?: boolean;
  /** Why names were not written, or what went wrong. */
  error?: string;
}

/** Replaceable for the tests. */
export interface LlmHooks {
  /** Answers a message instead of the user: the button to press (undefined: dismissed). Unset: the message is shown. */
  respond?: (message: ShownMessage) => string | undefined | Promise<string | undefined>;
  /** The models to choose from; unset: vscode.lm.selectChatModels(). */
  models?: () => Promise<readonly vscode.LanguageModelChat[]>;
}

export interface LlmCommands {
  readonly hooks: LlmHooks;
  readonly onDidShowMessage: vscode.Event<ShownMessage>;
  copyPrompt(target?: unknown): Promise<CopyOutcome>;
  describe(target?: unknown, token?: vscode.CancellationToken): Promise<DescribeOutcome>;
}

/** Tokens kept free for the model's answer when the prompt's budget comes from maxInputTokens. */
const ANSWER_RESERVE = 4000;
/** A prompt never needs more than this: above it the whole profile fits anyway. */
const MAX_BUDGET = 60_000;

export function registerLlmCommands(context: vscode.ExtensionContext, log: vscode.LogOutputChannel): { disposables: vscode.Disposable[]; commands: LlmCommands } {
  const shown = new vscode.EventEmitter<ShownMessage>();
  const hooks: LlmHooks = {};

  async function say(kind: MessageKind, text: string, options: { modal?: boolean; detail?: string } = {}, ...items: string[]): Promise<string | undefined> {
    const message: ShownMessage = { kind, text, detail: options.detail, modal: options.modal ?? false, items };
    (kind === 'error' ? log.error : kind === 'warning' ? log.warn : log.info).call(log, `${text}${options.detail ? ` ${options.detail}` : ''}`);
    shown.fire(message);
    if (hooks.respond) return hooks.respond(message);
    const show = kind === 'error' ? vscode.window.showErrorMessage : kind === 'warning' ? vscode.window.showWarningMessage : vscode.window.showInformationMessage;
    return show(text, { modal: message.modal, detail: options.detail }, ...items);
  }

  async function copyPrompt(target?: unknown): Promise<CopyOutcome> {
    const uri = await pickProfile(target, 'Copy LLM Prompt');
    if (!uri) return { status: 'dismissed' };
    const name = path.posix.basename(uri.path);
    const read = await readProfile(uri);
    if (read.error !== undefined) {
      void say('error', `Segment: cannot read ${name}: ${read.error}.`);
      return { status: 'failed', profile: uri.toString(), error: read.error };
    }
    let prompt: SegmentPrompt;
    try {
      prompt = buildSegmentPrompt(read.profile, { maxTokens: copyBudget(uri) });
    } catch (error) {
      const text = errorText(error);
      void say('error', `Segment: no prompt for ${name}: ${text}`);
      return { status: 'failed', profile: uri.toString(), error: text };
    }
    await vscode.env.clipboard.writeText(prompt.text);
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: prompt.text });
    await vscode.window.showTextDocument(document, { preview: false });
    void say(
      'info',
      `Segment: the prompt for ${name} is on the clipboard and in a new editor: ${featuresKept(prompt)}, about ${prompt.estimatedTokens.toLocaleString('en-US')} tokens. ` +
        'It holds the clusters\' aggregates only, no rows or ids. Paste it into any chat model.',
    );
    return { status: 'done', profile: uri.toString(), prompt };
  }

  async function describe(target?: unknown, outerToken?: vscode.CancellationToken): Promise<DescribeOutcome> {
    const uri = await pickProfile(target, 'Describe Segments with AI');
    if (!uri) return { status: 'dismissed' };
    const name = path.posix.basename(uri.path);
    const outcome: DescribeOutcome = { status: 'failed', profile: uri.toString() };
    if (uri.scheme !== 'file') {
      outcome.error = 'the report and the names are written beside the profile, which needs a file on this computer';
      void say('error', `Segment: cannot describe ${name}: ${outcome.error}. Use Copy LLM Prompt instead.`);
      return outcome;
    }
    const read = await readProfile(uri);
    if (read.error !== undefined) {
      outcome.error = read.error;
      void say('error', `Segment: cannot read ${name}: ${read.error}.`);
      return outcome;
    }
    const profile = read.profile;
    // Fails early (and the same way as Copy LLM Prompt) for a file that is not a profile.
    try {
      buildSegmentPrompt(profile, { maxTokens: Number.MAX_SAFE_INTEGER });
    } catch (error) {
      outcome.error = errorText(error);
      void say('error', `Segment: cannot describe ${name}: ${outcome.error}`);
      return outcome;
    }

    let models: readonly vscode.LanguageModelChat[];
    try {
      models = await (hooks.models ? hooks.models() : vscode.lm.selectChatModels());
    } catch (error) {
      log.warn(`selectChatModels failed: ${errorText(error)}`);
      models = [];
    }
    if (models.length === 0) {
      outcome.status = 'noModel';
      outcome.error = 'no language model is available in VS Code';
      const choice = await say(
        'warning',
        `Segment: no language model is available in VS Code, so the segments of ${name} cannot be described here. ` +
          'Install and sign in to an extension that provides chat models (such as GitHub Copilot), or copy the prompt and paste it into any chat model.',
        {},
        COPY_INSTEAD,
      );
      if (choice === COPY_INSTEAD) await vscode.commands.executeCommand(LLM_COMMANDS.copyPrompt, uri);
      return outcome;
    }
    const model = await chooseModel(models);
    if (!model) return { ...outcome, status: 'dismissed' };
    outcome.model = model.name;

    const prompt = await promptFor(profile, model);
    if (typeof prompt === 'string') {
      outcome.error = prompt;
      void say('error', `Segment: ${name} does not fit ${model.name}: ${prompt}`);
      return outcome;
    }
    log.info(`describing ${uri.fsPath} with ${model.vendor}/${model.id}: ${featuresKept(prompt)}, about ${prompt.estimatedTokens} tokens`);

    const streamed = await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Segment: ${model.name} is describing the segments of ${name}`, cancellable: true },
      (progress, progressToken) => stream(uri, model, prompt, progress, outerToken ? anyToken(progressToken, outerToken) : progressToken),
    );
    if (streamed.status !== 'done') {
      outcome.status = streamed.status;
      outcome.error = streamed.error;
      if (streamed.status === 'cancelled') {
        void say('info', `Segment: describing ${name} was cancelled; no report was written and the profile is unchanged.`);
      } else {
        const choice = await say('error', `Segment: ${streamed.error} No report was written and the profile is unchanged.`, {}, COPY_INSTEAD);
        if (choice === COPY_INSTEAD) await vscode.commands.executeCommand(LLM_COMMANDS.copyPrompt, uri);
      }
      return outcome;
    }
    outcome.report = streamed.report;
    const reportName = path.basename(streamed.report);
    await vscode.window.showTextDocument(vscode.Uri.file(streamed.report), { preview: false }).then(undefined, (error: unknown) => {
      log.warn(`could not open ${streamed.report}: ${errorText(error)}`);
    });

    let names: SegmentName[];
    let problems: string[];
    try {
      ({ names, problems } = parseSegmentNames(streamed.answer, prompt.clusterIds));
    } catch (error) {
      outcome.status = 'done';
      outcome.namesWritten = false;
      outcome.error = `the answer has no JSON block of segment names`;
      void say('warning', `Segment: ${model.name}'s answer is saved in ${reportName}, but it has no JSON block of segment names, so no names were written into ${name}. ${errorText(error)}`.trim());
      return outcome;
    }
    outcome.names = names;
    outcome.status = 'done';
    if (names.length === 0) {
      outcome.namesWritten = false;
      outcome.error = `the answer names none of the profile's clusters (${problems.join('; ')})`;
      void say('warning', `Segment: the report is saved in ${reportName}, but its JSON block names none of the profile's clusters, so no names were written: ${problems.join('; ')}.`);
      return outcome;
    }

    const pair = profilePair(uri.fsPath);
    const detail = [
      ...names.map((n) => `Cluster ${n.clusterId}: ${n.segmentName}${n.persona ? ` — ${n.persona}` : ''}`),
      ...(problems.length ? ['', `Not used: ${problems.join('; ')}.`] : []),
    ].join('\n');
    const choice = await say(
      'info',
      `Segment: write ${model.name}'s ${names.length} segment name${names.length === 1 ? '' : 's'} and personas into ${path.basename(pair.json)} and ${path.basename(pair.yaml)}?`,
      { modal: true, detail },
      WRITE_NAMES,
      NOT_NOW,
    );
    if (choice !== WRITE_NAMES) {
      outcome.namesWritten = false;
      return outcome;
    }
    const dirty = vscode.workspace.textDocuments.find((d) => d.isDirty && (d.uri.fsPath === pair.json || d.uri.fsPath === pair.yaml));
    if (dirty) {
      outcome.namesWritten = false;
      outcome.error = `${path.basename(dirty.uri.fsPath)} has unsaved changes`;
      void say('warning', `Segment: ${path.basename(dirty.uri.fsPath)} has unsaved changes, so no names were written. Save or revert it, then run Describe Segments with AI again (the report is in ${reportName}).`);
      return outcome;
    }
    try {
      // The file acted on is the source: its content (perhaps edited by hand) gets the names, and both files are rewritten from it.
      await replaceProfileFiles(pair, applySegmentNames(profile as Profile, names));
    } catch (error) {
      outcome.namesWritten = false;
      outcome.error = errorText(error);
      void say('error', `Segment: ${outcome.error}`);
      return outcome;
    }
    outcome.namesWritten = true;
    void say('info', `Segment: wrote ${names.length} segment name${names.length === 1 ? '' : 's'} into ${path.basename(pair.json)} and ${path.basename(pair.yaml)}.`);
    return outcome;
  }

  async function chooseModel(models: readonly vscode.LanguageModelChat[]): Promise<vscode.LanguageModelChat | undefined> {
    if (models.length === 1) return models[0];
    const remembered = context.globalState.get<string>(MODEL_MEMORY_KEY);
    const ordered = [...models].sort((a, b) => Number(b.id === remembered) - Number(a.id === remembered));
    const picked = await vscode.window.showQuickPick(
      ordered.map((model) => ({
        label: model.name,
        description: [model.vendor, model.family, model.id === remembered ? 'last used' : undefined].filter(Boolean).join(' · '),
        detail: `up to ${model.maxInputTokens.toLocaleString('en-US')} input tokens`,
        model,
      })),
      { title: 'Segment: which language model should describe the segments?', placeHolder: 'Only the clusters\' aggregates are sent, never rows or ids' },
    );
    if (!picked) return undefined;
    await context.globalState.update(MODEL_MEMORY_KEY, picked.model.id);
    return picked.model;
  }

  /** The prompt within the model's input budget, checked with the model's own count when it can give one; or why not. */
  async function promptFor(profile: unknown, model: vscode.LanguageModelChat): Promise<SegmentPrompt | string> {
    let budget = promptBudget(model.maxInputTokens);
    for (let attempt = 0; attempt < 3; attempt++) {
      let prompt: SegmentPrompt;
      try {
        prompt = buildSegmentPrompt(profile, { maxTokens: budget });
      } catch (error) {
        return errorText(error);
      }
      const counted = await Promise.resolve(model.countTokens(prompt.text)).then(
        (n) => (Number.isFinite(n) && n > 0 ? n : undefined),
        () => undefined,
      );
      if (counted === undefined || counted + Math.min(ANSWER_RESERVE, model.maxInputTokens / 4) <= model.maxInputTokens) return prompt;
      budget = Math.floor((budget * (model.maxInputTokens - Math.min(ANSWER_RESERVE, model.maxInputTokens / 4))) / counted);
      if (budget < 1) break;
    }
    return `the model takes at most ${model.maxInputTokens} input tokens, too few for this profile's prompt`;
  }

  async function stream(
    uri: vscode.Uri,
    model: vscode.LanguageModelChat,
    prompt: SegmentPrompt,
    progress: vscode.Progress<{ message?: string }>,
    token: vscode.CancellationToken,
  ): Promise<{ status: 'done'; report: string; answer: string } | { status: 'cancelled' | 'noPermission' | 'blocked' | 'failed'; error: string }> {
    let writer: ReportWriter | undefined;
    try {
      progress.report({ message: 'waiting for the answer…' });
      const response = await model.sendRequest([vscode.LanguageModelChatMessage.User(prompt.text)], { justification: 'Segment sends the cluster profile\'s aggregates (no rows or ids) to name the segments.' }, token);
      writer = await ReportWriter.create(reportPathFor(uri.fsPath));
      await writer.write(reportHeader(uri, model, prompt));
      let answer = '';
      for await (const fragment of response.text) {
        if (token.isCancellationRequested) break;
        answer += fragment;
        await writer.write(fragment);
        progress.report({ message: `${answer.length.toLocaleString('en-US')} characters received` });
      }
      if (token.isCancellationRequested) {
        await writer.abandon();
        return { status: 'cancelled', error: 'cancelled' };
      }
      if (answer.trim() === '') {
        await writer.abandon();
        return { status: 'failed', error: `${model.name} gave an empty answer.` };
      }
      await writer.write(answer.endsWith('\n') ? '' : '\n');
      const report = await writer.finish();
      log.info(`report written: ${report}`);
      return { status: 'done', report, answer };
    } catch (error) {
      await writer?.abandon();
      if (token.isCancellationRequested || error instanceof vscode.CancellationError) return { status: 'cancelled', error: 'cancelled' };
      log.error(`language model request failed: ${errorText(error)}`);
      if (error instanceof vscode.LanguageModelError) {
        if (error.code === vscode.LanguageModelError.NoPermissions.name) {
          return {
            status: 'noPermission',
            error: `Segment may not use ${model.name}: the request was not allowed (${error.message}). Allow Segment when VS Code asks, or change it in the Accounts menu under Manage Language Model Access.`,
          };
        }
        if (error.code === vscode.LanguageModelError.Blocked.name) {
          return { status: 'blocked', error: `${model.name} refused the request: a quota or rate limit was reached, or it was blocked (${error.message}). Try again later or choose another model.` };
        }
        if (error.code === vscode.LanguageModelError.NotFound.name) {
          return { status: 'failed', error: `${model.name} is no longer available (${error.message}).` };
        }
      }
      return { status: 'failed', error: `${model.name} failed: ${errorText(error)}.` };
    }
  }

  const commands: LlmCommands = { hooks, onDidShowMessage: shown.event, copyPrompt, describe };
  return {
    commands,
    disposables: [
      shown,
      vscode.commands.registerCommand(LLM_COMMANDS.copyPrompt, (uri?: unknown) => copyPrompt(uri)),
      vscode.commands.registerCommand(LLM_COMMANDS.describe, (uri?: unknown) => describe(uri)),
    ],
  };
}

/** Copy LLM Prompt's budget: the segment.prompt.maxTokens setting, kept within its declared bounds. */
function copyBudget(uri: vscode.Uri): number {
  const configured = vscode.workspace.getConfiguration('segment', uri).get<number>('prompt.maxTokens', PROMPT_DEFAULTS.maxTokens);
  return Number.isFinite(configured) ? Math.min(Math.max(Math.floor(configured!), 500), MAX_BUDGET) : PROMPT_DEFAULTS.maxTokens;
}

/** The prompt's budget: the model's input limit less room for the answer, within sensible bounds. */
export function promptBudget(maxInputTokens: number): number {
  if (!Number.isFinite(maxInputTokens) || maxInputTokens <= 0) return PROMPT_DEFAULTS.maxTokens;
  const budget = Math.min(maxInputTokens - Math.min(ANSWER_RESERVE, maxInputTokens / 4), MAX_BUDGET);
  return Math.max(1, Math.floor(budget));
}

function featuresKept(prompt: SegmentPrompt): string {
  return prompt.featuresShown < prompt.featuresTotal
    ? `${prompt.featuresShown} of ${prompt.featuresTotal} features kept (the ${prompt.featuresTotal - prompt.featuresShown} that separate the clusters least left out to fit)`
    : `all ${prompt.featuresTotal} features kept`;
}

function reportHeader(uri: vscode.Uri, model: vscode.LanguageModelChat, prompt: SegmentPrompt): string {
  const name = path.basename(uri.fsPath);
  return [
    `# Segment report: ${name}`,
    '',
    `> Written by ${model.name} (${model.vendor}) on ${new Date().toISOString().slice(0, 19).replace('T', ' ')} UTC from the aggregates of \`${name}\` ` +
      `(${prompt.featuresShown} of ${prompt.featuresTotal} features); no rows or ids were sent. Language models make mistakes: check the names against the profile.`,
    '',
    '',
  ].join('\n');
}

function errorText(error: unknown): string {
  if (isSegmentError(error)) return error.message;
  return error instanceof Error ? error.message : String(error);
}

function anyToken(a: vscode.CancellationToken, b: vscode.CancellationToken): vscode.CancellationToken {
  const source = new vscode.CancellationTokenSource();
  if (a.isCancellationRequested || b.isCancellationRequested) source.cancel();
  a.onCancellationRequested(() => source.cancel());
  b.onCancellationRequested(() => source.cancel());
  return source.token;
}

// ---------------------------------------------------------------------------
// Which profile

/** The right-clicked profile, else the active editor's, else a pick among those beside the CSV (or profile) at hand, or in the workspace. */
async function pickProfile(target: unknown, action: string): Promise<vscode.Uri | undefined> {
  const given = typeof target === 'string' ? vscode.Uri.file(target) : target instanceof vscode.Uri ? target : undefined;
  if (given && isProfileUri(given)) return given;
  const active = given ?? activeResource();
  if (active && isProfileUri(active)) return active;
  const candidates = active && isCsvUri(active) ? await profilesInFolder(vscode.Uri.joinPath(active, '..')) : await profilesInWorkspace();
  const where = active && isCsvUri(active) ? `beside ${path.posix.basename(active.path)}` : 'in this workspace';
  const runs = groupRuns(candidates);
  if (runs.length === 0) {
    void vscode.window.showInformationMessage(`Segment: there are no cluster profiles ${where}. Export one from a CSV first.`);
    return undefined;
  }
  if (runs.length === 1) return runs[0].file.uri;
  const picked = await vscode.window.showQuickPick(
    runs.map((run) => ({
      label: `${(run.method ?? 'profile').toUpperCase()} · ${stampText(run.stamp) ?? run.file.name}`,
      description: run.file.name,
      detail: vscode.workspace.asRelativePath(vscode.Uri.joinPath(run.file.uri, '..'), true),
      run,
    })),
    { title: `Segment: ${action} — cluster profiles ${where}`, placeHolder: 'Pick the profile' },
  );
  return picked?.run.file.uri;
}

function activeResource(): vscode.Uri | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.uri.scheme !== 'output' && editor.document.uri.scheme !== 'untitled') return editor.document.uri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputText) return input.uri;
  return undefined;
}
