'use strict';
'require baseclass';
'require modemflow.format as fmt';
'require modemflow.cards as cards';

/*
 * The traffic page: a sortable, filterable table of flow groups and the
 * list of recent decisions with their reasons. The table keeps its sort
 * order and filter text across poll updates (update() replaces the rows
 * only).
 */

var COLUMNS = [
	{ key: 'host', title: _('Host'), value: function(g, names) { return names[g.host] || g.host || ''; } },
	{ key: 'class', title: _('Class'), value: function(g) { return g.className; } },
	{ key: 'down', title: _('Down'), value: function(g) { return g.downKbps; }, numeric: true },
	{ key: 'up', title: _('Up'), value: function(g) { return g.upKbps; }, numeric: true },
	{ key: 'connections', title: _('Connections'), value: function(g) { return g.connections; }, numeric: true },
	/* A spread background group (shares) sends its new connections to several modems. */
	{ key: 'modem', title: _('Modem'), value: function(g) { return g.shares ? g.shares.map(function(s) { return s.modem; }).join(' + ') : (g.modem || ''); } },
	{ key: 'since', title: _('Since'), value: function(g) { return g.sinceMs; }, numeric: true }
];

var KIND_WORDS = {
	place: _('placed'),
	move: _('moved'),
	unplace: _('unplaced'),
	spread: _('spread'),
	'full-solve': _('full solve'),
	hysteresis: _('kept (hysteresis)'),
	wake: _('woke modem'),
	sleep: _('put modem to sleep'),
	'switch': _('switched SIM'),
	exclude: _('excluded modem'),
	include: _('included modem'),
	power: _('power'),
	config: _('configuration'),
	routing: _('routing'),
	error: _('error')
};

/* ip -> DHCP host name, from luci-rpc getDHCPLeases ({ dhcp_leases, dhcp6_leases }). */
function leaseNames(leases) {
	var names = {};
	[ 'dhcp_leases', 'dhcp6_leases' ].forEach(function(k) {
		((leases && leases[k]) || []).forEach(function(l) {
			if (l.hostname && l.ipaddr)
				names[l.ipaddr] = l.hostname;
			if (l.hostname && Array.isArray(l.ip6addrs))
				l.ip6addrs.forEach(function(a) { names[String(a).replace(/\/\d+$/, '')] = l.hostname; });
			else if (l.hostname && l.ip6addr)
				names[String(l.ip6addr).replace(/\/\d+$/, '')] = l.hostname;
		});
	});
	return names;
}

function compare(a, b, numeric) {
	if (numeric)
		return (a || 0) - (b || 0);
	a = String(a).toLowerCase();
	b = String(b).toLowerCase();
	return a < b ? -1 : a > b ? 1 : 0;
}

return baseclass.extend({
	COLUMNS: COLUMNS,
	leaseNames: leaseNames,

	/* Groups matching the filter text (host, name, class, QoS, modem), sorted. */
	select: function(groups, names, filter, sortKey, sortDesc) {
		var col = COLUMNS.filter(function(c) { return c.key === sortKey; })[0] || COLUMNS[2];
		var words = String(filter || '').toLowerCase().split(/\s+/).filter(function(w) { return w !== ''; });
		var rows = groups.filter(function(g) {
			var hay = [ g.host || '', names[g.host] || '', g.className, g.qos, cards.qosWord(g.qos), g.modem || '-' ].join(' ').toLowerCase();
			return words.every(function(w) { return hay.indexOf(w) >= 0; });
		});
		rows.sort(function(a, b) {
			var r = compare(col.value(a, names), col.value(b, names), col.numeric);
			if (r === 0)
				r = compare(a.id, b.id, false);
			return sortDesc ? -r : r;
		});
		return rows;
	},

	groupRow: function(g, names, nowMs) {
		var name = names[g.host];
		return E('tr', { 'class': 'tr', 'data-group': g.id }, [
			E('td', { 'class': 'td', 'data-title': _('Host') }, cards.kids([
				name ? E('strong', {}, [ name ]) : null,
				name ? E('br') : null,
				E('span', { 'class': 'mf-mono' }, [ fmt.text(g.host) ]),
				g.tuple ? E('div', { 'class': 'mf-note' }, [ g.tuple.proto + ' \u2192 ' + g.tuple.dst + (g.tuple.dport != null ? ':' + g.tuple.dport : '') ]) : null
			])),
			E('td', { 'class': 'td', 'data-title': _('Class') }, [ g.className + ' (' + cards.qosWord(g.qos) + ')' ]),
			E('td', { 'class': 'td', 'data-title': _('Down') }, [ fmt.rate(g.downKbps) + (g.measured ? '' : ' *') ]),
			E('td', { 'class': 'td', 'data-title': _('Up') }, [ fmt.rate(g.upKbps) + (g.measured ? '' : ' *') ]),
			E('td', { 'class': 'td', 'data-title': _('Connections') }, [ String(g.connections) ]),
			E('td', { 'class': 'td', 'data-title': _('Modem') }, [ g.modem || _('not placed'), g.pinnedByNat ? ' \u2020' : '' ]),
			E('td', { 'class': 'td', 'data-title': _('Since') }, [ fmt.ago(g.sinceMs, nowMs) ])
		]);
	},

	/*
	 * A table controller: { node, update(flowsReply, names, nowMs) }. Header
	 * clicks sort (again: reverse), the text box filters.
	 */
	flowTable: function() {
		var self = this,
		    state = { sortKey: 'down', sortDesc: true, filter: '', groups: [], total: 0, names: {}, nowMs: 0 };

		var tbody = E('tbody', {}, []);
		var count = E('span', { 'class': 'mf-count' }, []);
		var heads = COLUMNS.map(function(c) {
			return E('th', { 'class': 'th mf-sortable', 'data-sort': c.key, 'click': function() {
				if (state.sortKey === c.key)
					state.sortDesc = !state.sortDesc;
				else {
					state.sortKey = c.key;
					state.sortDesc = !!c.numeric;
				}
				draw();
			} }, [ c.title ]);
		});
		var filter = E('input', { 'type': 'search', 'class': 'cbi-input-text mf-filter', 'placeholder': _('Filter: host, name, class, modem'), 'input': function(ev) {
			state.filter = ev.target.value;
			draw();
		} });

		function draw() {
			var rows = self.select(state.groups, state.names, state.filter, state.sortKey, state.sortDesc);
			while (tbody.firstChild)
				tbody.removeChild(tbody.firstChild);
			rows.forEach(function(g) { tbody.appendChild(self.groupRow(g, state.names, state.nowMs)); });
			if (!rows.length)
				tbody.appendChild(E('tr', { 'class': 'tr placeholder' }, [ E('td', { 'class': 'td', 'colspan': String(COLUMNS.length) }, [ E('em', {}, [ state.groups.length ? _('No group matches the filter.') : _('No traffic.') ]) ]) ]));
			heads.forEach(function(h) {
				var on = h.getAttribute('data-sort') === state.sortKey;
				h.setAttribute('aria-sort', on ? (state.sortDesc ? 'descending' : 'ascending') : 'none');
				h.classList.toggle('mf-sorted', on);
			});
			count.textContent = fmt.sub(_('%s of %s groups shown'), rows.length, state.total);
		}

		var node = E('div', { 'class': 'mf-flows' }, [
			E('div', { 'class': 'mf-flows-bar' }, [ filter, ' ', count ]),
			E('table', { 'class': 'table mf-table mf-flow-table' }, [ E('thead', {}, [ E('tr', { 'class': 'tr table-titles' }, heads) ]), tbody ]),
			E('div', { 'class': 'mf-note' }, [ _('* assumed demand (too young to measure). \u2020 established NATed connections keep the group on its modem.') ])
		]);

		var ctl = {
			node: node,
			state: state,
			update: function(flowsReply, names, nowMs) {
				state.groups = (flowsReply && flowsReply.groups) || [];
				state.total = flowsReply && typeof(flowsReply.total) === 'number' ? flowsReply.total : state.groups.length;
				state.names = names || {};
				state.nowMs = nowMs;
				draw();
			}
		};
		draw();
		return ctl;
	},

	/* Recent decisions, newest first. */
	decisions: function(assignment, nowMs) {
		var list = ((assignment && assignment.decisions) || []).slice().reverse();
		if (!list.length)
			return E('div', { 'class': 'mf-decisions' }, [ E('em', {}, [ _('No decisions yet.') ]) ]);
		return E('table', { 'class': 'table mf-table mf-decisions' }, [
			E('tr', { 'class': 'tr table-titles' }, [
				E('th', { 'class': 'th' }, [ _('When') ]),
				E('th', { 'class': 'th' }, [ _('What') ]),
				E('th', { 'class': 'th' }, [ _('Group') ]),
				E('th', { 'class': 'th' }, [ _('Modem') ]),
				E('th', { 'class': 'th' }, [ _('Why') ])
			])
		].concat(list.map(function(d) {
			return E('tr', { 'class': 'tr', 'data-kind': d.kind }, [
				E('td', { 'class': 'td', 'data-title': _('When'), 'title': fmt.clock(d.atMs) }, [ fmt.sub(_('%s ago'), fmt.ago(d.atMs, nowMs)) ]),
				E('td', { 'class': 'td', 'data-title': _('What') }, [ KIND_WORDS[d.kind] || d.kind ]),
				E('td', { 'class': 'td mf-mono', 'data-title': _('Group') }, [ fmt.text(d.group) ]),
				E('td', { 'class': 'td', 'data-title': _('Modem') }, [ d.from ? d.from + ' \u2192 ' + fmt.text(d.modem) : fmt.text(d.modem) ]),
				E('td', { 'class': 'td', 'data-title': _('Why') }, [ d.reason ])
			]);
		})));
	}
});
