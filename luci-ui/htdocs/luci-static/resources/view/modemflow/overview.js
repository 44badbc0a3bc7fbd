'use strict';
'require view';
'require poll';
'require rpc';
'require ui';
'require modemflow.cards as cards';
'require modemflow.chart as chart';

/*
 * Status > modemflow > Overview: warnings first, one card per modem, the
 * power budget (with the power-limit control), the cost, the assignment and
 * live charts from `history`, refreshed with poll.
 */

var callStatus = rpc.declare({ object: 'modemflow', method: 'status', expect: { '': {} } });
var callModems = rpc.declare({ object: 'modemflow', method: 'modems', expect: { '': {} } });
var callFlows = rpc.declare({ object: 'modemflow', method: 'flows', params: [ 'limit' ], expect: { '': {} } });
var callAssignment = rpc.declare({ object: 'modemflow', method: 'assignment', expect: { '': {} } });
var callHistory = rpc.declare({ object: 'modemflow', method: 'history', params: [ 'seconds' ], expect: { '': {} } });
/* watts: a number; clear: true returns to the configured limit (blobmsg has no null). */
var callSetPowerLimit = rpc.declare({ object: 'modemflow', method: 'set_power_limit', params: [ 'watts', 'clear' ] });

var HISTORY_S = 300, POLL_S = 5;

function fetchAll() {
	return Promise.all([
		L.resolveDefault(callStatus(), null),
		L.resolveDefault(callModems(), null),
		L.resolveDefault(callFlows(1000), null),
		L.resolveDefault(callAssignment(), null),
		L.resolveDefault(callHistory(HISTORY_S), null)
	]);
}

function loadCss() {
	if (!document.querySelector('link[data-modemflow-css]'))
		document.head.appendChild(E('link', { 'rel': 'stylesheet', 'href': L.resource('modemflow/modemflow.css'), 'data-modemflow-css': '1' }));
}

return view.extend({
	load: function() {
		loadCss();
		return fetchAll();
	},

	/* The parts that change on every poll; data = [status, modems, flows, assignment, history]. */
	body: function(data) {
		var status = data[0], modems = data[1], flows = data[2], assignment = data[3], history = data[4];

		if (!status || !status.power)
			return E('div', { 'class': 'alert-message warning' }, [ _('modemflow is not running or not answering (ubus object "modemflow").') ]);

		var self = this;
		return E('div', { 'class': 'mf-overview' }, [
			cards.warnings(status),
			cards.modemCards(modems, status),
			E('div', { 'class': 'mf-panels' }, [
				cards.powerSummary(status.power, assignment),
				cards.costSummary(status.cost, assignment),
				cards.powerLimitControl(status.power, function(watts) { return self.setLimit(watts); })
			]),
			cards.assignmentTable(assignment, flows),
			chart.renderAll(history)
		]);
	},

	setLimit: function(watts) {
		var call = (watts == null) ? callSetPowerLimit(undefined, true) : callSetPowerLimit(watts);
		return call.then(function(res) {
			if (res && res.error)
				ui.addNotification(null, E('p', [ _('The power limit was not changed: ') + res.error ]), 'warning');
		}).catch(function(err) {
			ui.addNotification(null, E('p', [ _('The power limit was not changed: ') + err.message ]), 'danger');
		}).then(L.bind(this.refresh, this));
	},

	refresh: function() {
		var self = this;
		return fetchAll().then(function(data) {
			var root = document.getElementById('modemflow-overview');
			if (!root)
				return;
			/* Keep what the user is typing into the power-limit box. */
			var typing = root.querySelector('.mf-limit-input');
			if (typing && document.activeElement === typing)
				return;
			while (root.firstChild)
				root.removeChild(root.firstChild);
			root.appendChild(self.body(data));
		});
	},

	render: function(data) {
		poll.add(L.bind(this.refresh, this), POLL_S);
		return E('div', {}, [
			E('h2', {}, [ _('modemflow') ]),
			E('div', { 'class': 'cbi-map-descr' }, [ _('Which modem carries which traffic, and why.') ]),
			E('div', { 'id': 'modemflow-overview' }, [ this.body(data) ])
		]);
	},

	handleSaveApply: null,
	handleSave: null,
	handleReset: null
});
