/**
 * The AT command port as the AT provider needs it: open a modem's AT tty,
 * run one command at a time, close. The real implementation is
 * serial-at-port.ts; everything here is pure (line splitting and final
 * result codes), so the parsing is tested without a modem.
 */

export type AtFailureCode =
  /** No final result code within the timeout. */
  | 'timeout'
  /** The modem answered ERROR or +CME ERROR / +CMS ERROR. */
  | 'error'
  /** Another program holds the port's lock file. */
  | 'busy'
  /** The tty is not there (modem unplugged or re-enumerated). */
  | 'vanished'
  /** Anything else (permission, not a tty). */
  | 'failed';

export type AtReply =
  | { ok: true; lines: string[] }
  | { ok: false; code: AtFailureCode; problem: string; /** +CME ERROR: <this> */ cme?: string; lines?: string[] };

export interface AtSession {
  /** Send `command` (without CR/LF) and collect its information lines up to the final result code. */
  run(command: string, timeoutMs: number): Promise<AtReply>;
  close(): Promise<void>;
}

export type AtOpenResult = { ok: true; session: AtSession } | { ok: false; code: AtFailureCode; problem: string };

export interface AtPortOpener {
  open(device: string, timeoutMs: number): Promise<AtOpenResult>;
}

/** Final result codes of V.250 / 3GPP TS 27.007 that end a command's answer. */
export function finalResult(line: string): { ok: true } | { ok: false; cme?: string; text: string } | null {
  if (line === 'OK') return { ok: true };
  if (line === 'ERROR' || line === 'NO CARRIER' || line === 'COMMAND NOT SUPPORT') return { ok: false, text: line };
  const m = /^\+(CME|CMS) ERROR:\s*(.*)$/.exec(line);
  if (m) return { ok: false, cme: m[2]!.trim(), text: line };
  return null;
}

/**
 * Splits the byte stream of a tty into lines: modems end lines with CR LF,
 * some with a bare CR or LF; empty lines between them carry nothing.
 * Bytes after the last line end wait for the next chunk.
 */
export class AtLineSplitter {
  private rest = '';

  push(chunk: string): string[] {
    const text = this.rest + chunk;
    const parts = text.split(/\r\n|\r|\n/);
    this.rest = parts.pop() ?? '';
    // "\r" at the very end may be the first half of "\r\n": the empty line it makes is dropped anyway.
    return parts.map((l) => l.trim()).filter((l) => l !== '');
  }
}

/**
 * Collects one command's answer from lines: drops the echo (ATE1 is the
 * modems' default and the provider does not change settings other tools
 * rely on) and unsolicited lines of other kinds are kept out by the caller's
 * prefix filter. Returns the reply once a final result code arrives.
 */
export class AtAnswer {
  private readonly lines: string[] = [];

  constructor(private readonly command: string) {}

  /** Feed one line; the reply when this line ended the answer, else null. */
  feed(line: string): AtReply | null {
    if (line === this.command || line.toUpperCase() === this.command.toUpperCase()) return null;
    const fin = finalResult(line);
    if (fin === null) {
      this.lines.push(line);
      return null;
    }
    if (fin.ok) return { ok: true, lines: this.lines };
    return { ok: false, code: 'error', problem: `${this.command}: ${fin.text}`, ...(fin.cme !== undefined ? { cme: fin.cme } : {}), lines: this.lines };
  }
}
