import type { ModemConfig } from '../../model/config.js';
import type { ModemRadio } from '../../model/modem.js';
import type { AtPortOpener, AtReply } from '../at/at-port.js';
import { parseQuectel } from '../at/quectel.js';
import { fail, ok } from '../provider.js';
import type { RadioProvider, ReadResult } from '../provider.js';
import { configuredDevice } from './radio-common.js';

/**
 * Modems read only through their AT port (Quectel RM5xx/RG5xx/EC2x/EM1x
 * and alike behind ECM/RNDIS/NCM, or when no QMI/MBIM tool is installed).
 * `device` is the AT tty, e.g. /dev/ttyUSB2 or /dev/wwan0at0. One read
 * opens the port (with its lock), asks AT+QENG="servingcell" and, where
 * the modem knows them, AT+QCAINFO, AT+QSPN, AT+CSQ and AT+CGACT?, and
 * closes it again. Only read commands are sent: nothing changes a setting
 * other tools on the router rely on.
 */
export class AtProvider implements RadioProvider {
  readonly kind = 'at' as const;

  constructor(private readonly opener: AtPortOpener) {}

  async readRadio(modem: ModemConfig, timeoutMs: number): Promise<ReadResult<ModemRadio>> {
    const device = configuredDevice(modem);
    if (device === null) return fail('malformed', 'at needs option device (the AT port, e.g. /dev/ttyUSB2)');
    if (!/^\/dev\/[A-Za-z0-9._-]+$/.test(device)) return fail('malformed', `option device '${device}' is not a /dev path`);
    const started = Date.now();
    const opened = await this.opener.open(device, timeoutMs);
    if (!opened.ok) return fail(opened.code === 'vanished' ? 'vanished' : opened.code === 'timeout' ? 'timeout' : 'failed', `AT port ${opened.problem}`);
    const session = opened.session;
    try {
      // Each command gets what is left of the read's budget, at most 3 s (tom_modem's default).
      const left = (): number => Math.max(200, Math.min(3000, timeoutMs - (Date.now() - started)));
      const qeng = await session.run('AT+QENG="servingcell"', left());
      if (!qeng.ok) return fail(qeng.code === 'timeout' ? 'timeout' : qeng.code === 'error' ? 'unavailable' : 'failed', qeng.problem);
      const optional = async (cmd: string): Promise<string[] | null> => {
        const r: AtReply = await session.run(cmd, left());
        return r.ok ? r.lines : null;
      };
      const qcainfo = await optional('AT+QCAINFO');
      const qspn = await optional('AT+QSPN');
      const csq = await optional('AT+CSQ');
      const cgact = await optional('AT+CGACT?');
      return ok(parseQuectel({ qeng: qeng.lines, qcainfo, qspn, csq, cgact }));
    } finally {
      await session.close();
    }
  }
}
