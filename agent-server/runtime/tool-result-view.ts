import { markInjections } from '../security/content-scan.js';
import { cutToBudget, formatKB, type OmittedPart, type OutputBudget } from './output-budget.js';
import { redactSecrets } from './secret-redaction.js';

/** How a session turns a tool's text into what the model reads. */
export interface ToolResultLimits {
  budget: OutputBudget;
  /** Saves the whole (scrubbed) text of a result that was cut; returns the file's absolute path. */
  saveWhole(toolCallId: string, text: string): Promise<string>;
  /** Values never passed on (see secretValues). */
  secrets: readonly string[];
  log?: (line: string) => void;
}

function omittedLine(o: OmittedPart): string {
  const range = o.firstLine === o.lastLine ? `line ${o.firstLine}` : `lines ${o.firstLine}–${o.lastLine}`;
  const count = `${o.lines.toLocaleString('en-US')} ${o.lines === 1 ? 'line' : 'lines'}`;
  return `[… ${count} / ${formatKB(o.bytes)} omitted (${range}${o.partial ? ', shown in part' : ''} of ${o.totalLines.toLocaleString('en-US')}) …]`;
}

function whereLine(file: string, o: OmittedPart, budget: OutputBudget): string {
  const limit = Math.max(1, Math.min(o.lines, Math.floor(budget.maxLines / 4)));
  const call = JSON.stringify({ path: file, offset: o.firstLine, limit });
  return `[The whole result is saved in ${file} (line numbers as above). Read any range of it with read_file ${call}.]`;
}

/**
 * A tool result as the model reads it, in this order:
 * 1. secrets scrubbed, so neither the model, the history nor the saved file holds them;
 * 2. over budget: the whole text saved, and only its head and tail kept, with a note in the middle
 *    saying what was left out and how to read it;
 * 3. injection markers added to what is left. Marking last means every line the model sees was
 *    judged and no marker can be cut away from the line it warns about (marking first could keep a
 *    flagged line in the tail while dropping its marker with the middle).
 */
export async function resultForModel(
  text: string,
  toolCallId: string,
  limits: ToolResultLimits,
): Promise<string> {
  const scrubbed = redactSecrets(text, limits.secrets);
  const cut = cutToBudget(scrubbed, limits.budget);
  if (!cut) return markInjections(scrubbed).text;
  let where: string;
  try {
    where = whereLine(await limits.saveWhole(toolCallId, scrubbed), cut.omitted, limits.budget);
  } catch (err) {
    const error = (err as Error).message;
    (limits.log ?? ((l) => process.stderr.write(`${l}\n`)))(
      `cairn: could not save the whole output of ${toolCallId}: ${error}`,
    );
    where = `[The whole result could not be saved (${error}); narrow the call to see the omitted part.]`;
  }
  const shown = cut.withNote(['', omittedLine(cut.omitted), where, ''].join('\n'));
  return markInjections(shown).text;
}
