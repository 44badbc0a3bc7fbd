import type { CommandResult, CommandRunner, RunOptions } from '../model/ports.js';

/** Runs every command of an inner runner inside one network namespace (test bed, demo). */
export class NetnsRunner implements CommandRunner {
  constructor(
    private readonly inner: CommandRunner,
    private readonly netns: string,
  ) {}

  run(program: string, args: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
    return this.inner.run(program, args, { ...options, netns: this.netns });
  }
}
