'use strict';
'require baseclass';
'require modemflow.format as fmt';

/*
 * The overview's building blocks: warnings, one card per modem, the power
 * budget, the cost, the assignment and the power-limit control. Pure
 * functions of the daemon's replies (src/model/api.ts) that return DOM nodes
 * built with LuCI's E(); text is always passed inside arrays so that E()
 * makes text nodes (a bare string child would be parsed as HTML).
 */

var STATE_WORDS = {
	active: [ _('Active'), 'ok' ],
	standby: [ _('Standby'), 'idle' ],
	excluded: [ _('Excluded'), 'bad' ],
	asleep: [ _('Asleep'), 'idle' ],
	waking: [ _('Waking up'), 'busy' ],
	sleeping: [ _('Going to sleep'), 'busy' ],
	down: [ _('Down'), 'bad' ],
	unknown: [ _('No metrics'), 'warn' ],
	disabled: [ _('Disabled'), 'idle' ]
};

var TIER_WORDS = {
	primary: _('Primary'),
	overflow: _('Overflow'),
	backup: _('Backup'),
	never: _('Never used')
};

var RAT_WORDS = {
	gsm: '2G',
	umts: '3G',
	lte: '4G LTE',
	'nr5g-nsa': '5G NSA',
	'nr5g-sa': '5G SA'
};

var POWER_WORDS = {
	on: _('On'),
	asleep: _('Asleep'),
	waking: _('Waking up'),
	sleeping: _('Going to sleep'),
	off: _('Off')
};

var QOS_WORDS = {
	C: _('Conversational'),
	S: _('Streaming'),
	I: _('Interactive'),
	B: _('Background')
};

/* Drops null/undefined/false children: some LuCI releases print "null" for them. */
function kids(list) {
	var out = [];
	for (var i = 0; i < list.length; i++)
		if (list[i] != null && list[i] !== false)
			out.push(list[i]);
	return out;
}

function level(v, steps) {
	if (!fmt.known(v))
		return null;
	for (var i = 0; i < steps.length; i++)
		if (v >= steps[i])
			return 4 - i;
	return 0;
}

function row(label, value, cls) {
	return E('div', { 'class': 'mf-row' + (cls ? ' ' + cls : '') }, [
		E('span', { 'class': 'mf-label' }, [ label ]),
		E('span', { 'class': 'mf-value' }, Array.isArray(value) ? kids(value) : [ value ])
	]);
}

/* A horizontal bar for a share 0..1 (values over 1 are drawn full and marked). */
function bar(share, title) {
	var known = fmt.known(share), pct = known ? Math.max(0, Math.min(1, share)) * 100 : 0;
	var cls = !known ? 'mf-bar mf-bar-none' : share >= 1 ? 'mf-bar mf-bar-full' : share >= 0.8 ? 'mf-bar mf-bar-high' : 'mf-bar';
	return E('div', { 'class': cls, 'title': title, 'data-share': known ? String(share) : '' }, [
		E('div', { 'class': 'mf-bar-fill', 'style': 'width:' + pct.toFixed(1) + '%' })
	]);
}

return baseclass.extend({
	kids: kids,
	bar: bar,

	stateWord: function(state) {
		return STATE_WORDS[state] ? STATE_WORDS[state][0] : String(state);
	},

	tierWord: function(tier) {
		return TIER_WORDS[tier] ? TIER_WORDS[tier] : String(tier);
	},

	qosWord: function(qos) {
		return QOS_WORDS[qos] ? QOS_WORDS[qos] : String(qos);
	},

	stateBadge: function(state) {
		var tone = STATE_WORDS[state] ? STATE_WORDS[state][1] : 'warn';
		return E('span', { 'class': 'mf-badge mf-tone-' + tone, 'data-state': state }, [ this.stateWord(state) ]);
	},

	/*
	 * Signal quality 0-4 from RSRP and SINR (the weaker decides); RSSI when a
	 * 3G/2G modem gives no RSRP. Null when nothing is known.
	 */
	signalLevel: function(signal) {
		if (!signal)
			return null;
		var a = level(signal.rsrpDbm, [ -80, -90, -100, -110 ]),
		    b = level(signal.sinrDb, [ 20, 13, 0, -3 ]);
		if (a == null && b == null)
			a = level(signal.rssiDbm, [ -65, -75, -85, -95 ]);
		if (a == null)
			return b;
		return b == null ? a : Math.min(a, b);
	},

	signalBars: function(radio) {
		var signal = radio ? radio.signal : null,
		    lvl = this.signalLevel(signal),
		    parts = [];

		if (signal) {
			parts.push('RSRP ' + fmt.dbm(signal.rsrpDbm), 'RSRQ ' + fmt.db(signal.rsrqDb),
				'SINR ' + fmt.db(signal.sinrDb), 'RSSI ' + fmt.dbm(signal.rssiDbm));
			if (radio.nrSignal)
				parts.push('NR RSRP ' + fmt.dbm(radio.nrSignal.rsrpDbm), 'NR SINR ' + fmt.db(radio.nrSignal.sinrDb));
		}

		var title = parts.length ? parts.join(', ') : _('No signal reading');
		var bars = [];
		for (var i = 1; i <= 4; i++)
			bars.push(E('span', { 'class': 'mf-sig-bar' + (lvl != null && i <= lvl ? ' on' : ''), 'style': 'height:' + (i * 25) + '%' }));

		return E('span', { 'class': 'mf-signal', 'title': title, 'data-level': lvl == null ? '' : String(lvl) }, [
			E('span', { 'class': 'mf-sig-bars' }, bars),
			E('span', { 'class': 'mf-sig-num' }, [ signal && fmt.known(signal.rsrpDbm) ? fmt.dbm(signal.rsrpDbm) : (lvl == null ? fmt.DASH : fmt.dbm(signal.rssiDbm)) ])
		]);
	},

	/* Why a modem is not active, in words: the daemon's reason, each exclusion, a provider problem. */
	reasons: function(entry, summary) {
		var out = [];
		if (summary && summary.reason)
			out.push(summary.reason);
		(entry.exclusions || []).forEach(function(x) {
			if (!out.some(function(r) { return r.indexOf(x.reason) >= 0; }))
				out.push(x.reason);
		});
		if (entry.problem && !out.some(function(r) { return r.indexOf(entry.problem) >= 0; }))
			out.push(entry.problem);
		return out;
	},

	modemCard: function(entry, summary) {
		var radio = entry.radio,
		    path = entry.path,
		    cap = entry.capacity,
		    price = entry.price,
		    link = entry.link,
		    why = (entry.state === 'active') ? [] : this.reasons(entry, summary);

		var rat = radio && radio.rat ? (RAT_WORDS[radio.rat] || radio.rat) : null;
		var radioLine = [ radio ? fmt.text(radio.operatorName) : _('No radio data'), rat, radio && radio.band ? radio.band : null ]
			.filter(function(x) { return x != null; }).join(' \u00b7 ');

		var rtt = path ? path.short.rttMs : null, loss = path ? path.long.lossPct : null;

		var down = link.rxKbps, up = link.txKbps;
		var downShare = cap && fmt.known(down) && cap.downKbps > 0 ? down / cap.downKbps : null;
		var upShare = cap && fmt.known(up) && cap.upKbps > 0 ? up / cap.upKbps : null;

		var quota;
		if (price.quotaGb == null)
			quota = row(_('Quota'), [ _('unlimited'), ' \u00b7 ', fmt.sub(_('%s used'), fmt.bytes(entry.cycleBytes)) ]);
		else
			quota = E('div', { 'class': 'mf-row mf-quota' }, [
				E('span', { 'class': 'mf-label' }, [ _('Quota') ]),
				E('span', { 'class': 'mf-value' }, [
					bar(price.usedShare, fmt.sub(_('%s of %s GB'), fmt.share(price.usedShare), price.quotaGb)),
					E('span', { 'class': 'mf-quota-text' }, [
						fmt.sub(_('%s of %s GB'), fmt.share(price.usedShare), price.quotaGb), ' \u00b7 ',
						fmt.sub(_('%s days left'), Math.max(0, Math.ceil(price.daysLeft)))
					])
				])
			]);

		return E('div', { 'class': 'mf-card mf-card-' + entry.state, 'data-modem': entry.name }, kids([
			E('div', { 'class': 'mf-card-head' }, [
				E('span', { 'class': 'mf-card-title' }, [ entry.name ]),
				E('span', { 'class': 'mf-card-iface' }, [ entry.interface ]),
				this.stateBadge(entry.state)
			]),
			E('div', { 'class': 'mf-radio', 'title': radioLine }, [ radioLine ]),
			why.length ? E('div', { 'class': 'mf-why' }, why.map(function(r) { return E('div', {}, [ r ]); })) : null,
			row(_('Signal'), this.signalBars(radio)),
			row(_('RTT / loss'), fmt.ms(rtt) + ' / ' + fmt.pct(loss), 'mf-rtt'),
			E('div', { 'class': 'mf-row mf-rate' }, [
				E('span', { 'class': 'mf-label' }, [ _('Down') ]),
				E('span', { 'class': 'mf-value' }, [
					bar(downShare, fmt.sub(_('%s of %s estimated'), fmt.rate(down), cap ? fmt.rate(cap.downKbps) : fmt.DASH)),
					E('span', { 'class': 'mf-rate-text' }, [ fmt.rate(down) + ' / ' + (cap ? fmt.rate(cap.downKbps) : fmt.DASH) ])
				])
			]),
			E('div', { 'class': 'mf-row mf-rate' }, [
				E('span', { 'class': 'mf-label' }, [ _('Up') ]),
				E('span', { 'class': 'mf-value' }, [
					bar(upShare, fmt.sub(_('%s of %s estimated'), fmt.rate(up), cap ? fmt.rate(cap.upKbps) : fmt.DASH)),
					E('span', { 'class': 'mf-rate-text' }, [ fmt.rate(up) + ' / ' + (cap ? fmt.rate(cap.upKbps) : fmt.DASH) ])
				])
			]),
			row(_('Price now'), price.perGb == null ? _('not used (quota reached)') : fmt.money(price.perGb) + ' ' + _('per GB') +
				(price.state !== 'normal' ? ' (' + price.state + ')' : ''), 'mf-price'),
			quota,
			row(_('Power'), POWER_WORDS[entry.powerState] ? POWER_WORDS[entry.powerState] : entry.powerState),
			row(_('Tier'), this.tierWord(entry.tier) + ' \u00b7 ' + fmt.sub(_('%s groups'), entry.groups))
		]));
	},

	/* One card per modem, in the daemon's order; a message when there are none. */
	modemCards: function(modemsReply, status) {
		var byName = {};
		((status && status.modems) || []).forEach(function(s) { byName[s.name] = s; });
		var list = (modemsReply && modemsReply.modems) || [];
		if (!list.length)
			return E('div', { 'class': 'mf-cards mf-empty' }, [
				E('em', {}, [ _('No modems are configured. Add one under Network \u2192 modemflow.') ])
			]);
		var self = this;
		return E('div', { 'class': 'mf-cards' }, list.map(function(m) { return self.modemCard(m, byName[m.name]); }));
	},

	/* Config problems, providers not answering, mwan3: what the user must see first. */
	warnings: function(status) {
		var items = [],
		    errors = (status.config && status.config.state === 'kept-last-good') ? status.config.problems.filter(function(p) { return p.severity === 'error'; }) : [];
		if (status.config && status.config.state === 'kept-last-good')
			items.push(E('div', { 'class': 'alert-message error mf-warning' }, [
				E('strong', {}, [ _('The configuration has errors; the last good one is running.') ]),
				E('ul', {}, errors.map(function(p) {
					return E('li', {}, [ p.file + (p.line != null ? ':' + p.line : '') + ': ' + p.section + (p.option ? '.' + p.option : '') + ': ' + p.message ]);
				}))
			]));
		(status.warnings || []).forEach(function(w) {
			/* A config error is already listed in the box above. */
			if (errors.some(function(p) { return w.indexOf(p.message) >= 0; }))
				return;
			items.push(E('div', { 'class': 'alert-message warning mf-warning' }, [ w ]));
		});
		if (status.mwan3Running === true && !(status.warnings || []).some(function(w) { return /mwan3/.test(w); }))
			items.push(E('div', { 'class': 'alert-message warning mf-warning' }, [ _('mwan3 is running too; both would steer the same traffic.') ]));
		if (status.dryRun)
			items.push(E('div', { 'class': 'alert-message notice mf-warning' }, [ _('Dry run: modemflow decides but does not change the routing.') ]));
		return E('div', { 'class': 'mf-warnings' }, items);
	},

	powerSummary: function(power, assignment) {
		var limit = power.limitW,
		    used = fmt.known(power.measuredW) ? power.measuredW : power.modelledW;
		return E('div', { 'class': 'mf-panel mf-power' }, kids([
			E('h4', {}, [ _('Power') ]),
			row(_('Budget'), limit == null ? _('unlimited') : fmt.watts(limit), 'mf-power-limit'),
			limit != null ? bar(used / limit, fmt.sub(_('%s of %s'), fmt.watts(used), fmt.watts(limit))) : null,
			row(_('Modems (model)'), fmt.watts(power.modelledW)),
			fmt.known(power.measuredW) ? row(_('Measured'), fmt.watts(power.measuredW)) : null,
			fmt.known(power.batteryPct) ? row(_('Battery'), fmt.pct(power.batteryPct)) : null,
			row(_('Source'), power.source + ' \u00b7 ' + power.basis),
			E('div', { 'class': 'mf-note' }, [ power.explanation ]),
			power.problems && power.problems.length ? E('div', { 'class': 'mf-why' }, power.problems.map(function(p) { return E('div', {}, [ p ]); })) : null,
			assignment && assignment.status === 'over_power_limit' ? E('div', { 'class': 'mf-why' }, [ _('No assignment fits the power budget; the lowest-power one is used.') ]) : null
		]));
	},

	costSummary: function(cost, assignment) {
		return E('div', { 'class': 'mf-panel mf-cost' }, [
			E('h4', {}, [ _('Cost') ]),
			row(_('Per hour now'), fmt.money(assignment ? assignment.costPerHour : cost.perHour), 'mf-cost-hour'),
			row(_('This billing cycle'), fmt.money(cost.cycleTotal), 'mf-cost-cycle')
		]);
	},

	/* Flow groups per modem, by class: what the solver decided. */
	assignmentTable: function(assignment, flowsReply) {
		var groups = (flowsReply && flowsReply.groups) || [], per = {}, order = [];
		groups.forEach(function(g) {
			var m = g.modem || '';
			if (!per[m]) {
				per[m] = {};
				order.push(m);
			}
			var c = per[m][g.className] || (per[m][g.className] = { qos: g.qos, n: 0, up: 0, down: 0 });
			c.n++;
			c.up += g.upKbps;
			c.down += g.downKbps;
		});
		order.sort(function(a, b) { return a === '' ? 1 : b === '' ? -1 : a < b ? -1 : a > b ? 1 : 0; });

		var rows = [];
		var self = this;
		order.forEach(function(m) {
			Object.keys(per[m]).sort().forEach(function(cls) {
				var c = per[m][cls];
				rows.push(E('tr', { 'class': 'tr', 'data-modem': m }, [
					E('td', { 'class': 'td', 'data-title': _('Modem') }, [ m === '' ? _('not placed (main table)') : m ]),
					E('td', { 'class': 'td', 'data-title': _('Class') }, [ cls ]),
					E('td', { 'class': 'td', 'data-title': _('QoS') }, [ self.qosWord(c.qos) ]),
					E('td', { 'class': 'td', 'data-title': _('Groups') }, [ String(c.n) ]),
					E('td', { 'class': 'td', 'data-title': _('Demand') }, [ fmt.rate(c.down) + ' \u2193 ' + fmt.rate(c.up) + ' \u2191' ])
				]));
			});
		});

		var status = assignment ? assignment.status : 'ok';
		return E('div', { 'class': 'mf-panel mf-assignment' }, kids([
			E('h4', {}, [ _('Assignment') ]),
			status !== 'ok' ? E('div', { 'class': 'mf-why' }, [ status === 'infeasible' ? _('Some traffic cannot be served by any modem.') : _('Over the power budget.') ]) : null,
			rows.length
				? E('table', { 'class': 'table mf-table' }, [
					E('tr', { 'class': 'tr table-titles' }, [
						E('th', { 'class': 'th' }, [ _('Modem') ]),
						E('th', { 'class': 'th' }, [ _('Class') ]),
						E('th', { 'class': 'th' }, [ _('QoS') ]),
						E('th', { 'class': 'th' }, [ _('Groups') ]),
						E('th', { 'class': 'th' }, [ _('Demand') ])
					])
				].concat(rows))
				: E('em', {}, [ _('No traffic yet.') ]),
			assignment && assignment.lastSolve
				? E('div', { 'class': 'mf-note' }, [ fmt.sub(_('Last solve: %s (%s), %s'), assignment.lastSolve.trigger, assignment.lastSolve.kind, assignment.lastSolve.reason) ])
				: null
		]));
	},

	/*
	 * The power-limit control. onSet(watts) is called with a positive number,
	 * or with null to return to the configured limit.
	 */
	powerLimitControl: function(power, onSet) {
		var input = E('input', {
			'type': 'number', 'min': '0.1', 'step': '0.1', 'class': 'cbi-input-text mf-limit-input',
			'placeholder': power.limitW == null ? _('unlimited') : String(power.limitW),
			'aria-label': _('Power limit in W')
		});
		var msg = E('span', { 'class': 'mf-limit-msg' }, []);

		function say(text, bad) {
			msg.textContent = text;
			msg.className = 'mf-limit-msg' + (bad ? ' mf-bad' : '');
		}

		var setBtn = E('button', { 'class': 'cbi-button cbi-button-apply', 'click': function(ev) {
			ev.preventDefault();
			var v = Number(input.value);
			if (input.value === '' || !isFinite(v) || v <= 0)
				return say(_('Expecting: a number of watts > 0'), true);
			say('');
			return onSet(v);
		} }, [ _('Set limit') ]);

		var clearBtn = E('button', { 'class': 'cbi-button cbi-button-reset', 'click': function(ev) {
			ev.preventDefault();
			input.value = '';
			say('');
			return onSet(null);
		} }, [ _('Clear') ]);

		return E('div', { 'class': 'mf-panel mf-limit' }, [
			E('h4', {}, [ _('Power limit') ]),
			E('div', { 'class': 'mf-note' }, [ power.basis === 'override' ? fmt.sub(_('Set by hand: %s. Clear returns to the configured limit.'), fmt.watts(power.limitW)) : _('Override the budget until the daemon restarts or you clear it.') ]),
			E('div', { 'class': 'mf-limit-row' }, [ input, ' W ', setBtn, ' ', clearBtn ]),
			msg
		]);
	}
});
