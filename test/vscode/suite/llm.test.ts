/**
 * Copy LLM Prompt and Describe Segments with AI in a real VS Code extension
 * host. The language model is a real chat model provider registered by the
 * test through vscode.lm.registerLanguageModelChatProvider (finalized API;
 * its vendor "segment-test" is contributed by test/vscode/lm-vendor, which
 * the runners load beside Segment), answering fixed text. The messages the
 * commands show are answered through the extension's test API (api.llm.hooks.respond).
 * Only for the LanguageModelError cases (no consent, blocked) is the model a
 * fake object handed in through api.llm.hooks.models: a provider cannot make
 * VS Code raise those errors on the consumer's side.
 */
import * as assert from 'node:assert/strict';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, before, describe, it } from 'mocha';
import * as vscode from 'vscode';
import type { SegmentApi } from '../../../src/extension/extension';
import { COPY_INSTEAD, WRITE_NAMES, type DescribeOutcome, type ShownMessage } from '../../../src/extension/lmCommands';
import type { RunOutcome } from '../../../src/extension/runner';

const EXTENSION_ID = 'segment-profiles.segment-profiles';
const VENDOR = 'segment-test';

// The provider side of the Language Model API (VS Code 1.104+), declared here: @types/vscode is 1.100.
interface ChatInformation {
  id: string;
  name: string;
  family: string;
  version: string;
  maxInputTokens: number;
  maxOutputTokens: number;
  capabilities: Record<string, never>;
}
interface ChatProvider {
  provideLanguageModelChatInformation(options: { silent: boolean }, token: vscode.CancellationToken): ChatInformation[];
  provideLanguageModelChatResponse(
    model: ChatInformation,
    messages: readonly vscode.LanguageModelChatMessage[],
    options: unknown,
    progress: vscode.Progress<vscode.LanguageModelTextPart>,
    token: vscode.CancellationToken,
  ): Promise<void>;
  provideTokenCount(model: ChatInformation, text: string | vscode.LanguageModelChatMessage, token: vscode.CancellationToken): Promise<number>;
}
type LmWithProviders = typeof vscode.lm & { registerLanguageModelChatProvider?(vendor: string, provider: ChatProvider): vscode.Disposable };

let api: SegmentApi;
let root: string;
let examples: string;
let shown: ShownMessage[] = [];
let listener: vscode.Disposable | undefined;

/** What the test model answers next, in chunks; and what it was asked. */
let answerChunks: string[] = [];
let chunkDelayMs = 0;
let asked: string[] = [];

const NAMES = [
  { cluster_id: 0, segment_name: 'Thrifty Regulars', persona: 'Buys often, spends little each time.' },
  { cluster_id: 1, segment_name: 'Big Spenders', persona: 'Few visits, large baskets.' },
  { cluster_id: 2, segment_name: 'Young Explorers', persona: 'Young, curious, tries new products.' },
  { cluster_id: 3, segment_name: 'Loyal Veterans', persona: 'Long tenure, steady spending.' },
];
const ANSWER = [
  '## Segment Overview\n\nFour segments of customers.\n\n',
  '## Detailed Analysis per Cluster\n\nCluster 0 buys often.\n\n',
  '```json\n',
  `${JSON.stringify({ segments: NAMES })}\n`,
  '```\n',
];

const provider: ChatProvider = {
  provideLanguageModelChatInformation: () => [
    { id: 'segment-test-model', name: 'Segment Test Model', family: 'segment-test', version: '1', maxInputTokens: 100_000, maxOutputTokens: 8_000, capabilities: {} },
  ],
  async provideLanguageModelChatResponse(_model, messages, _options, progress, token) {
    asked.push(
      messages
        .map((m) => m.content.map((part) => (part instanceof vscode.LanguageModelTextPart ? part.value : (part as { value?: unknown }).value ?? '')).join(''))
        .join('\n'),
    );
    for (const chunk of answerChunks) {
      if (token.isCancellationRequested) return;
      if (chunkDelayMs) await delay(chunkDelayMs);
      progress.report(new vscode.LanguageModelTextPart(chunk));
    }
  },
  provideTokenCount: async (_model, text) => Math.ceil((typeof text === 'string' ? text : JSON.stringify(text)).length / 4),
};

export function defineLlmTests(): void {
  describe('Language model commands', () => {
    let registration: vscode.Disposable | undefined;

    before(async () => {
      const extension = vscode.extensions.getExtension<SegmentApi>(EXTENSION_ID);
      assert.ok(extension);
      api = await extension.activate();
      root = vscode.workspace.workspaceFolders![0].uri.fsPath;
      examples = path.join(extension.extensionPath, 'examples', 'customers.csv');
      await vscode.workspace.getConfiguration('segment').update('confirmBeforeRun', false, vscode.ConfigurationTarget.Workspace);
      listener = api.llm.onDidShowMessage((m) => shown.push(m));
      // Every message the commands show is answered here (dismissed, unless a test says otherwise): a notification with buttons would wait for a click.
      api.llm.hooks.respond = dismiss;
    });

    after(async () => {
      registration?.dispose();
      listener?.dispose();
      api.llm.hooks.respond = undefined;
      api.llm.hooks.models = undefined;
      await vscode.workspace.getConfiguration('segment').update('confirmBeforeRun', undefined, vscode.ConfigurationTarget.Workspace);
    });

    afterEach(async () => {
      shown = [];
      asked = [];
      chunkDelayMs = 0;
      api.llm.hooks.respond = dismiss;
      api.llm.hooks.models = undefined;
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    });

    it('registers Copy LLM Prompt and Describe Segments with AI', async () => {
      const commands = await vscode.commands.getCommands(true);
      assert.ok(commands.includes('segment.copyLlmPrompt'));
      assert.ok(commands.includes('segment.describeSegments'));
    });

    it('Copy LLM Prompt puts the prompt on the clipboard and in an untitled Markdown document', async () => {
      const { yaml } = await exportGmm('llm-copy');
      await vscode.env.clipboard.writeText('before');
      const outcome = await vscode.commands.executeCommand<{ status: string; prompt: { text: string; featuresShown: number; featuresTotal: number } }>(
        'segment.copyLlmPrompt',
        vscode.Uri.file(yaml),
      );
      assert.equal(outcome.status, 'done');
      const clipboard = await vscode.env.clipboard.readText();
      assert.equal(clipboard, outcome.prompt.text);
      assert.match(clipboard, /^You are a data analyst specializing in customer segmentation\./);
      assert.match(clipboard, /## Cluster 0: /);
      assert.match(clipboard, /```json\n\{"segments": \[/);
      // Aggregates only: no customer id from the CSV.
      assert.doesNotMatch(clipboard, /customer_id/);
      const editor = vscode.window.activeTextEditor;
      assert.ok(editor);
      assert.equal(editor.document.isUntitled, true);
      assert.equal(editor.document.languageId, 'markdown');
      assert.equal(editor.document.getText(), clipboard);
      const info = shown.find((m) => m.kind === 'info');
      assert.ok(info);
      assert.match(info.text, new RegExp(`all ${outcome.prompt.featuresTotal} features kept`));
    });

    it('Copy LLM Prompt keeps within segment.prompt.maxTokens, leaving out the least separating features', async () => {
      const { yaml } = await exportGmm('llm-copy-budget');
      const config = vscode.workspace.getConfiguration('segment');
      await config.update('prompt.maxTokens', 1000, vscode.ConfigurationTarget.Workspace);
      try {
        const outcome = await vscode.commands.executeCommand<{ status: string; prompt: { text: string; estimatedTokens: number; featuresShown: number; featuresTotal: number } }>(
          'segment.copyLlmPrompt',
          vscode.Uri.file(yaml),
        );
        assert.equal(outcome.status, 'done');
        assert.ok(outcome.prompt.estimatedTokens <= 1000, `about ${outcome.prompt.estimatedTokens} tokens`);
        assert.ok(outcome.prompt.featuresShown < outcome.prompt.featuresTotal, `${outcome.prompt.featuresShown} of ${outcome.prompt.featuresTotal} features`);
        const info = shown.find((m) => m.kind === 'info');
        assert.ok(info);
        assert.match(info.text, new RegExp(`${outcome.prompt.featuresShown} of ${outcome.prompt.featuresTotal} features kept`));
      } finally {
        await config.update('prompt.maxTokens', undefined, vscode.ConfigurationTarget.Workspace);
      }
    });

    it('Describe Segments with AI streams the answer into a report and, after Write Names, names the clusters in the JSON and YAML', async function () {
      const lm = vscode.lm as LmWithProviders;
      assert.equal(typeof lm.registerLanguageModelChatProvider, 'function', 'this VS Code has vscode.lm.registerLanguageModelChatProvider');
      registration = lm.registerLanguageModelChatProvider!(VENDOR, provider);
      const { json, yaml } = await exportGmm('llm-describe');
      answerChunks = ANSWER;
      api.llm.hooks.respond = (m) => (m.items.includes(WRITE_NAMES) ? WRITE_NAMES : undefined);
      const outcome = await vscode.commands.executeCommand<DescribeOutcome>('segment.describeSegments', vscode.Uri.file(yaml));
      assert.equal(outcome.status, 'done', `${outcome.error} — messages: ${JSON.stringify(shown)}`);
      assert.equal(outcome.model, 'Segment Test Model');
      assert.equal(asked.length, 1);
      assert.match(asked[0], /^You are a data analyst/);
      assert.doesNotMatch(asked[0], /customer_id/);

      assert.equal(outcome.report, path.join(path.dirname(yaml), path.basename(yaml).replace('_cluster_profile_', '_segment_report_').replace(/\.yaml$/, '.md')));
      const report = await fs.readFile(outcome.report!, 'utf8');
      assert.match(report, /^# Segment report: gmm_cluster_profile_\d{8}_\d{6}\.yaml\n/);
      assert.match(report, /Written by Segment Test Model \(segment-test\)/);
      assert.ok(report.includes(ANSWER.join('')), 'the report holds the whole answer');
      assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, outcome.report, 'the report is opened');

      const question = shown.find((m) => m.items.includes(WRITE_NAMES));
      assert.ok(question?.modal);
      assert.match(question.detail ?? '', /Cluster 1: Big Spenders — Few visits, large baskets\./);
      assert.equal(outcome.namesWritten, true);
      const fromJson = JSON.parse(await fs.readFile(json, 'utf8'));
      const fromYaml = await fs.readFile(yaml, 'utf8');
      for (const n of NAMES) {
        assert.equal(fromJson.clusters[`cluster_${n.cluster_id}`].segment_name, n.segment_name);
        assert.equal(fromJson.clusters[`cluster_${n.cluster_id}`].persona, n.persona);
        assert.match(fromYaml, new RegExp(`segment_name: ${n.segment_name}\\n`));
      }
      assert.deepEqual(await leftovers(path.dirname(json)), []);
    });

    it('keeps the report but writes no names when the answer has no JSON block; Not Now writes nothing either', async () => {
      assert.ok(registration, 'the provider test ran first');
      const { json, yaml } = await exportGmm('llm-noblock');
      const before = [await fs.readFile(json, 'utf8'), await fs.readFile(yaml, 'utf8')];
      answerChunks = ['Cluster 0 are regulars. No JSON here.\n'];
      const outcome = await vscode.commands.executeCommand<DescribeOutcome>('segment.describeSegments', vscode.Uri.file(json));
      assert.equal(outcome.status, 'done');
      assert.equal(outcome.namesWritten, false);
      assert.ok(outcome.report);
      assert.match(await fs.readFile(outcome.report, 'utf8'), /No JSON here\./);
      const warning = shown.find((m) => m.kind === 'warning');
      assert.match(warning?.text ?? '', /no names were written/);
      assert.deepEqual([await fs.readFile(json, 'utf8'), await fs.readFile(yaml, 'utf8')], before);

      // A good answer, but the user says Not Now: a second report, the profile unchanged.
      answerChunks = ANSWER;
      api.llm.hooks.respond = (m) => (m.items.includes(WRITE_NAMES) ? 'Not Now' : undefined);
      const second = await vscode.commands.executeCommand<DescribeOutcome>('segment.describeSegments', vscode.Uri.file(json));
      assert.equal(second.namesWritten, false);
      assert.match(path.basename(second.report!), /_segment_report_\d{8}_\d{6}_2\.md$/);
      assert.deepEqual([await fs.readFile(json, 'utf8'), await fs.readFile(yaml, 'utf8')], before);
    });

    it('cancelled while the answer streams in, leaves no report and the profile as it was', async () => {
      assert.ok(registration, 'the provider test ran first');
      const { json, yaml } = await exportGmm('llm-cancel');
      const before = await fs.readFile(yaml, 'utf8');
      answerChunks = [...ANSWER, ...ANSWER];
      chunkDelayMs = 150;
      const source = new vscode.CancellationTokenSource();
      setTimeout(() => source.cancel(), 400);
      const outcome = await api.llm.describe(vscode.Uri.file(yaml), source.token);
      assert.equal(outcome.status, 'cancelled', JSON.stringify(outcome));
      assert.equal(outcome.report, undefined);
      assert.equal(await fs.readFile(yaml, 'utf8'), before);
      assert.deepEqual(await leftovers(path.dirname(json)), []);
      assert.deepEqual((await fs.readdir(path.dirname(json))).filter((f) => f.includes('_segment_report_')), []);
    });

    it('with no language model at all, says so, offers the copy route, and writes nothing', async () => {
      registration?.dispose();
      registration = undefined;
      const { json, yaml } = await exportGmm('llm-none');
      const before = await fs.readFile(yaml, 'utf8');
      const models = await vscode.lm.selectChatModels();
      assert.deepEqual(
        models.map((m) => m.id),
        [],
        'no chat model in this VS Code once the test provider is gone',
      );
      const outcome = await vscode.commands.executeCommand<DescribeOutcome>('segment.describeSegments', vscode.Uri.file(yaml));
      assert.equal(outcome.status, 'noModel');
      const message = shown.find((m) => m.kind === 'warning');
      assert.ok(message);
      assert.match(message.text, /no language model is available/);
      assert.deepEqual(message.items, [COPY_INSTEAD]);
      assert.equal(await fs.readFile(yaml, 'utf8'), before);
      assert.deepEqual((await fs.readdir(path.dirname(json))).filter((f) => !/\.(csv|json|yaml)$/.test(f)), []);

      // "Copy Prompt Instead" runs Copy LLM Prompt on the same profile.
      await vscode.env.clipboard.writeText('before');
      api.llm.hooks.respond = (m) => (m.items.includes(COPY_INSTEAD) ? COPY_INSTEAD : undefined);
      await vscode.commands.executeCommand('segment.describeSegments', vscode.Uri.file(yaml));
      assert.match(await vscode.env.clipboard.readText(), /^You are a data analyst/);
    });

    for (const [code, status, pattern] of [
      ['NoPermissions', 'noPermission', /may not use Fake Model/],
      ['Blocked', 'blocked', /quota or rate limit/],
    ] as const) {
      it(`a ${code} error from the model: a clear message, no report, the profile as it was`, async () => {
        const { json, yaml } = await exportGmm(`llm-${code.toLowerCase()}`);
        const before = await fs.readFile(yaml, 'utf8');
        api.llm.hooks.models = async () => [fakeModel(() => Promise.reject(vscode.LanguageModelError[code]('from the test')))];
        const outcome = await vscode.commands.executeCommand<DescribeOutcome>('segment.describeSegments', vscode.Uri.file(yaml));
        assert.equal(outcome.status, status, JSON.stringify(outcome));
        const error = shown.find((m) => m.kind === 'error');
        assert.match(error?.text ?? '', pattern);
        assert.match(error?.text ?? '', /No report was written and the profile is unchanged/);
        assert.deepEqual(error?.items, [COPY_INSTEAD]);
        assert.equal(await fs.readFile(yaml, 'utf8'), before);
        assert.deepEqual((await fs.readdir(path.dirname(json))).filter((f) => !/\.(csv|json|yaml)$/.test(f)), []);
      });
    }
  });
}

// ---------------------------------------------------------------------------

function dismiss(): undefined {
  return undefined;
}

function fakeModel(send: () => Promise<vscode.LanguageModelChatResponse>): vscode.LanguageModelChat {
  return {
    id: 'fake',
    name: 'Fake Model',
    vendor: 'fake',
    family: 'fake',
    version: '1',
    maxInputTokens: 50_000,
    countTokens: async (text: string | vscode.LanguageModelChatMessage) => Math.ceil(String(text).length / 4),
    sendRequest: send,
  } as unknown as vscode.LanguageModelChat;
}

async function exportGmm(name: string): Promise<{ csv: vscode.Uri; json: string; yaml: string }> {
  const dir = path.join(root, name);
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  const csv = vscode.Uri.file(path.join(dir, 'customers.csv'));
  await fs.copyFile(examples, csv.fsPath);
  const outcome = await vscode.commands.executeCommand<RunOutcome>('segment.exportGmm', csv);
  assert.equal(outcome.status, 'done', JSON.stringify(outcome.error));
  return { csv, json: outcome.results![0].json, yaml: outcome.results![0].yaml };
}

/** Temporary files (of the report writer or the profile rewrite) left in a folder. */
async function leftovers(dir: string): Promise<string[]> {
  return (await fs.readdir(dir)).filter((f) => f.endsWith('.tmp'));
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
