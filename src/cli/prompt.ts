/** `segment prompt <profile>`: the language-model prompt for a profile, on stdout. */
import { resolve } from 'node:path';
import { PROMPT_DEFAULTS, buildSegmentPrompt, printable, readProfileFile } from '../engine';
import { UsageError, flagHelp, parseFlags, type FlagSpec } from './args';
import type { CliIo } from './io';

export const PROMPT_FLAGS: FlagSpec[] = [
  { name: 'max-tokens', kind: 'int', value: 'N', help: `size budget; the least separating features are left out to fit (default ${PROMPT_DEFAULTS.maxTokens})` },
  { name: 'help', short: 'h', kind: 'boolean', help: 'show this help' },
];

export const PROMPT_USAGE = `  segment prompt <profile.json|yaml> [--max-tokens N]
      Prints the prompt that asks a language model for segment names, personas, marketing
      strategies and business insights, filled with the profile's aggregates (never a
      customer's row or id). Paste it into any chat model.
${flagHelp(PROMPT_FLAGS)}`;

export async function promptCommand(argv: string[], io: CliIo): Promise<number> {
  const { positionals, flags } = parseFlags(argv, PROMPT_FLAGS);
  if (flags.help) {
    io.stdout.write(`Usage:\n${PROMPT_USAGE}\n`);
    return 0;
  }
  if (positionals.length !== 1) {
    throw new UsageError(positionals.length === 0 ? 'give the profile file (.json or .yaml)' : `one profile at a time (got ${positionals.length})`);
  }
  const maxTokens = (flags['max-tokens'] as number | undefined) ?? PROMPT_DEFAULTS.maxTokens;
  if (maxTokens < 1) throw new UsageError(`--max-tokens must be at least 1, got ${maxTokens}`);
  const prompt = buildSegmentPrompt(await readProfileFile(resolve(positionals[0])), { maxTokens });
  // Feature names come from the CSV: no control character reaches the terminal.
  const text = prompt.text.split('\n').map(printable).join('\n');
  io.stdout.write(text.endsWith('\n') ? text : `${text}\n`);
  // Columns, when the profile has categorical or described columns beside its features.
  const what = prompt.columnsTotal === prompt.featuresTotal ? 'features' : 'columns';
  const [shown, total] = what === 'features' ? [prompt.featuresShown, prompt.featuresTotal] : [prompt.columnsShown, prompt.columnsTotal];
  const dropped = shown < total ? `; ${total - shown} least separating ${what} left out` : '';
  io.stderr.write(`segment: about ${prompt.estimatedTokens} tokens, ${shown} of ${total} ${what}${dropped}\n`);
  return 0;
}
