import type { ModemflowConfig } from '../model/config.js';
import type { ConfigProblem, ConfigResult } from './problems.js';

export type OfferOutcome =
  | { accepted: true; config: ModemflowConfig; warnings: ConfigProblem[] }
  | { accepted: false; errors: ConfigProblem[]; warnings: ConfigProblem[]; kept: ModemflowConfig | null };

/**
 * Bad config never stops a running daemon: the keeper holds the last good
 * configuration and takes a new one only when it has no errors.
 */
export class ConfigKeeper {
  private last: ModemflowConfig | null = null;

  constructor(initial?: ModemflowConfig) {
    if (initial) this.last = initial;
  }

  /** The last configuration that was accepted (null before the first). */
  current(): ModemflowConfig | null {
    return this.last;
  }

  offer(result: ConfigResult): OfferOutcome {
    if (!result.ok) return { accepted: false, errors: result.errors, warnings: result.warnings, kept: this.last };
    this.last = result.value;
    return { accepted: true, config: result.value, warnings: result.warnings };
  }
}
