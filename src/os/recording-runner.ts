import type { CommandResult, CommandRunner, RunOptions } from '../model/ports.js';

export interface RecordedCommand {
  program: string;
  args: string[];
  input?: string;
  netns?: string;
}

export type ScriptedReply = Partial<CommandResult> | ((cmd: RecordedCommand) => Partial<CommandResult>);

/**
 * A CommandRunner that records what it is asked to run and answers from a
 * script (default: success with empty output). Tests assert on `log`; the
 * daemon's dry-run mode uses it to show what it would do.
 */
export class RecordingRunner implements CommandRunner {
  readonly log: RecordedCommand[] = [];
  private readonly replies: Array<{ match: (c: RecordedCommand) => boolean; reply: ScriptedReply }> = [];

  /** Answer commands for which `match` holds (latest registration wins). */
  on(match: string | ((c: RecordedCommand) => boolean), reply: ScriptedReply): this {
    const fn = typeof match === 'string' ? (c: RecordedCommand) => [c.program, ...c.args].join(' ').startsWith(match) : match;
    this.replies.unshift({ match: fn, reply });
    return this;
  }

  async run(program: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    const cmd: RecordedCommand = { program, args: [...args] };
    if (options.input !== undefined) cmd.input = options.input;
    if (options.netns !== undefined) cmd.netns = options.netns;
    this.log.push(cmd);
    const hit = this.replies.find((r) => r.match(cmd));
    const partial = hit ? (typeof hit.reply === 'function' ? hit.reply(cmd) : hit.reply) : {};
    return { code: 0, stdout: '', stderr: '', timedOut: false, ...partial };
  }

  /** The log as shell-like lines, for readable assertions. */
  lines(): string[] {
    return this.log.map((c) => [c.program, ...c.args].join(' '));
  }

  clear(): void {
    this.log.length = 0;
  }
}
