import type { ModemflowConfig } from '../model/config.js';
import type { ConfigProblemView } from '../model/api.js';
import type { Result } from '../model/errors.js';

/** One thing wrong (or odd) in the configuration, with where it is and what was expected (the shape the API reports). */
export type ConfigProblem = ConfigProblemView;

/** The typed config or the errors; warnings (unknown options...) come either way. */
export type ConfigResult = Result<ModemflowConfig, ConfigProblem> & { warnings: ConfigProblem[] };

/** `file:line: section.option: message` (warnings say so after the place). */
export function formatProblem(p: ConfigProblem): string {
  const where = p.line === null ? p.file : `${p.file}:${p.line}`;
  const what = p.section === '' ? '' : `${p.section}${p.option ? `.${p.option}` : ''}: `;
  return `${where}: ${what}${p.severity === 'warning' ? 'warning: ' : ''}${p.message}`;
}
