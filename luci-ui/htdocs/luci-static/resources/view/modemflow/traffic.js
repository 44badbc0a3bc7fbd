'use strict';
'require view';
'require poll';
'require rpc';
'require modemflow.flows as flows';

/*
 * Status > modemflow > Traffic: the flow groups (host with its DHCP name,
 * class, rates, connections, modem, since) in a sortable, filterable table,
 * and the last decisions with their reasons.
 */

var callFlows = rpc.declare({ object: 'modemflow', method: 'flows', params: [ 'limit' ], expect: { '': {} } });
var callAssignment = rpc.declare({ object: 'modemflow', method: 'assignment', expect: { '': {} } });
var callLeases = rpc.declare({ object: 'luci-rpc', method: 'getDHCPLeases', expect: { '': {} } });

var LIMIT = 1000, POLL_S = 5;

function fetchAll() {
	return Promise.all([
		L.resolveDefault(callFlows(LIMIT), null),
		L.resolveDefault(callAssignment(), null),
		L.resolveDefault(callLeases(), {})
	]);
}

return view.extend({
	load: function() {
		if (!document.querySelector('link[data-modemflow-css]'))
			document.head.appendChild(E('link', { 'rel': 'stylesheet', 'href': L.resource('modemflow/modemflow.css'), 'data-modemflow-css': '1' }));
		return fetchAll();
	},

	update: function(data) {
		var names = flows.leaseNames(data[2]);
		this.table.update(data[0], names, Date.now());
		var box = document.getElementById('modemflow-decisions');
		if (box) {
			while (box.firstChild)
				box.removeChild(box.firstChild);
			box.appendChild(flows.decisions(data[1], Date.now()));
		}
		var missing = document.getElementById('modemflow-missing');
		if (missing)
			missing.style.display = data[0] ? 'none' : '';
	},

	render: function(data) {
		this.table = flows.flowTable();
		var node = E('div', {}, [
			E('h2', {}, [ _('modemflow: traffic') ]),
			E('div', { 'id': 'modemflow-missing', 'class': 'alert-message warning', 'style': data[0] ? 'display:none' : '' }, [ _('modemflow is not running or not answering (ubus object "modemflow").') ]),
			E('h3', {}, [ _('Flow groups') ]),
			this.table.node,
			E('h3', {}, [ _('Last decisions') ]),
			E('div', { 'id': 'modemflow-decisions' }, [])
		]);
		var self = this;
		/* update() looks the decisions box up by id: fill it once the view is in the page. */
		this.table.update(data[0], flows.leaseNames(data[2]), Date.now());
		node.querySelector('#modemflow-decisions').appendChild(flows.decisions(data[1], Date.now()));
		poll.add(function() { return fetchAll().then(L.bind(self.update, self)); }, POLL_S);
		return node;
	},

	handleSaveApply: null,
	handleSave: null,
	handleReset: null
});
