import type { TfapAnswer, TfapMethod, TfapStatus } from '../model/tfap.js';
import { type CBearer, type Compiled, withinPowerLimit } from './compiled.js';

/**
 * A (possibly partial) traffic flow assignment: the bearer each interface is
 * associated with and the interface each flow rides. Loads and per-class
 * counts are kept incrementally so moves are O(1) to test.
 */
export class State {
  readonly c: Compiled;
  /** Bearer index per interface, -1 = deactivated. */
  readonly bearer: Int32Array;
  /** Interface per flow, -1 = not served. */
  readonly flowIf: Int32Array;
  readonly loadUp: Float64Array;
  readonly loadDown: Float64Array;
  readonly count: Int32Array;
  /** Flows per interface and QoS rank: index i * 4 + rank. */
  readonly qosCount: Int32Array;
  /** Number of flows served. */
  placed = 0;

  constructor(c: Compiled) {
    this.c = c;
    this.bearer = new Int32Array(c.m).fill(-1);
    this.flowIf = new Int32Array(c.v).fill(-1);
    this.loadUp = new Float64Array(c.m);
    this.loadDown = new Float64Array(c.m);
    this.count = new Int32Array(c.m);
    this.qosCount = new Int32Array(c.m * 4);
  }

  clone(): State {
    const s = new State(this.c);
    s.copyFrom(this);
    return s;
  }

  copyFrom(o: State): void {
    this.bearer.set(o.bearer);
    this.flowIf.set(o.flowIf);
    this.loadUp.set(o.loadUp);
    this.loadDown.set(o.loadDown);
    this.count.set(o.count);
    this.qosCount.set(o.qosCount);
    this.placed = o.placed;
  }

  equals(o: State): boolean {
    for (let i = 0; i < this.c.m; i++) if (this.bearer[i] !== o.bearer[i]) return false;
    for (let z = 0; z < this.c.v; z++) if (this.flowIf[z] !== o.flowIf[z]) return false;
    return true;
  }

  bearerOf(i: number): CBearer | undefined {
    const j = this.bearer[i]!;
    return j < 0 ? undefined : this.c.bearers[i]![j];
  }

  /** Highest QoS rank among the flows on interface i, -1 if none. */
  maxQos(i: number): number {
    for (let q = 3; q >= 0; q--) if (this.qosCount[i * 4 + q]! > 0) return q;
    return -1;
  }

  place(z: number, i: number): void {
    const c = this.c;
    this.flowIf[z] = i;
    this.loadUp[i]! += c.up[z]!;
    this.loadDown[i]! += c.down[z]!;
    this.count[i]!++;
    this.qosCount[i * 4 + c.qos[z]!]!++;
    this.placed++;
  }

  remove(z: number): void {
    const c = this.c;
    const i = this.flowIf[z]!;
    if (i < 0) return;
    this.flowIf[z] = -1;
    this.placed--;
    this.count[i]!--;
    this.qosCount[i * 4 + c.qos[z]!]!--;
    if (this.count[i] === 0) {
      // Exact zero, so repeated moves do not leave float dust on an empty interface.
      this.loadUp[i] = 0;
      this.loadDown[i] = 0;
    } else {
      this.loadUp[i]! -= c.up[z]!;
      this.loadDown[i]! -= c.down[z]!;
    }
  }

  /** Can flow z join interface i under bearer index j (its current flows stay)? */
  fits(z: number, i: number, j: number): boolean {
    const c = this.c;
    if (j < 0) return false;
    if (c.pin[z]! >= 0 && c.pin[z] !== i) return false;
    const b = c.bearers[i]![j]!;
    return (
      b.qos >= c.qos[z]! &&
      b.qos >= this.maxQos(i) &&
      this.loadUp[i]! + c.up[z]! <= b.upKbps + 1e-9 &&
      this.loadDown[i]! + c.down[z]! <= b.downKbps + 1e-9
    );
  }

  /**
   * fits() for a flow that is still placed elsewhere (a move evaluated without
   * removing it first): i's class requirement ignores nothing, since z is not on i.
   */
  fitsMoving(z: number, i: number, j: number): boolean {
    return this.flowIf[z] !== i && this.fits(z, i, j);
  }

  /** Can bearer j of interface i carry what interface i carries now? */
  bearerHolds(i: number, j: number): boolean {
    const b = this.c.bearers[i]![j]!;
    return b.qos >= this.maxQos(i) && this.loadUp[i]! <= b.upKbps + 1e-9 && this.loadDown[i]! <= b.downKbps + 1e-9;
  }

  /** Deactivates interfaces that serve nothing (they only add base power). */
  dropIdle(): void {
    for (let i = 0; i < this.c.m; i++) if (this.count[i] === 0) this.bearer[i] = -1;
  }

  unplaced(): number {
    return this.c.v - this.placed;
  }

  ifCost(i: number): number {
    const b = this.bearerOf(i);
    return b && this.count[i]! > 0 ? b.cost * (this.loadUp[i]! + this.loadDown[i]!) : 0;
  }

  ifPower(i: number): number {
    const b = this.bearerOf(i);
    return b && this.count[i]! > 0 ? b.baseW + b.txW * this.loadUp[i]! + b.rxW * this.loadDown[i]! : 0;
  }

  cost(): number {
    let t = 0;
    for (let i = 0; i < this.c.m; i++) t += this.ifCost(i);
    return t;
  }

  power(): number {
    let t = 0;
    for (let i = 0; i < this.c.m; i++) t += this.ifPower(i);
    return t;
  }
}

export interface AnswerExtras {
  method: TfapMethod;
  solveMs: number;
  reason?: string;
  stoppedEarly?: boolean;
}

/** Turns a state into the public answer, with the status rules of the README. */
export function toAnswer(s: State, extras: AnswerExtras): TfapAnswer {
  const c = s.c;
  const activation: Record<string, string> = {};
  const assignment: Record<string, string> = {};
  for (let i = 0; i < c.m; i++) {
    const b = s.bearerOf(i);
    if (b && s.count[i]! > 0) activation[c.ifIds[i]!] = b.id;
  }
  const unserved: string[] = [];
  for (let z = 0; z < c.v; z++) {
    const i = s.flowIf[z]!;
    if (i >= 0) assignment[c.flowIds[z]!] = c.ifIds[i]!;
    else unserved.push(c.flowIds[z]!);
  }
  const powerW = s.power();
  let status: TfapStatus = 'ok';
  let reason = extras.reason;
  if (unserved.length > 0) {
    status = 'infeasible';
    reason ??= `no assignment serves flow(s) ${unserved.join(', ')}`;
  } else if (!withinPowerLimit(powerW, c.powerLimitW)) {
    status = 'over_power_limit';
    reason ??= `lowest power found ${powerW.toFixed(6)} W is above P_max ${c.powerLimitW} W`;
  }
  const ans: TfapAnswer = { status, activation, assignment, costPerSecond: s.cost(), powerW, solveMs: extras.solveMs, method: extras.method };
  if (status !== 'ok' && reason) ans.reason = reason;
  if (extras.stoppedEarly === true) ans.stoppedEarly = true;
  return ans;
}
