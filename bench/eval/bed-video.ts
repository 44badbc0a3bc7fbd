/**
 * Figures of the bed's live video stream from the bytes it received per
 * 100 ms. Pure: bins in, numbers out.
 *
 * The player is the simplest that stalls the way a viewer notices: it
 * starts once it holds `startS` seconds of video, plays at the stream's
 * rate, stalls when its buffer runs dry, and plays again once it holds
 * `startS` seconds anew. A live stream cannot run ahead of the source, so
 * the buffer holds about `startS` seconds while the path keeps up; a break
 * longer than that is a stall.
 */

export interface VideoFigures {
  /** Received over the window, Mbit/s. */
  deliveredMbps: number;
  /** Received over the window / what the source sent in it, %. */
  deliveredPct: number;
  /** Times the buffer ran dry after playing had started. */
  stalls: number;
  /** Time spent stalled (re-buffering) after the first start, s. */
  stalledS: number;
  /** From the run's start to the first play, s (null: never played). */
  startS: number | null;
}

const BIN_S = 0.1;

/**
 * `bins`: bytes received per 100 ms since the run's start; `bytesPerS`: the
 * stream's rate; the window [fromBin, toBin) bounds the delivered rate and
 * the stalls counted (the player runs from bin 0).
 */
export function videoFigures(bins: readonly number[], bytesPerS: number, fromBin: number, toBin: number, startS = 2): VideoFigures {
  const need = bytesPerS * startS;
  const perBin = bytesPerS * BIN_S;
  let buffer = 0;
  let playing = false;
  let started = false;
  let startBin: number | null = null;
  let stalls = 0;
  let stalledBins = 0;
  let got = 0;
  const last = Math.min(toBin, bins.length);
  for (let i = 0; i < toBin; i++) {
    const b = i < bins.length ? bins[i]! : 0;
    buffer += b;
    const counted = i >= fromBin && i < toBin;
    if (counted && i < last) got += b;
    if (!playing && buffer >= need) {
      playing = true;
      if (!started) startBin = i + 1;
      started = true;
    }
    if (playing) {
      buffer -= perBin;
      if (buffer < 0) {
        buffer = 0;
        playing = false;
        if (counted) stalls++;
      }
    } else if (started && counted) {
      stalledBins++;
    }
  }
  const windowS = Math.max(0, toBin - fromBin) * BIN_S;
  return {
    deliveredMbps: windowS > 0 ? (got * 8) / 1e6 / windowS : 0,
    deliveredPct: windowS > 0 && bytesPerS > 0 ? (got / (bytesPerS * windowS)) * 100 : 0,
    stalls,
    stalledS: stalledBins * BIN_S,
    startS: startBin === null ? null : startBin * BIN_S,
  };
}
