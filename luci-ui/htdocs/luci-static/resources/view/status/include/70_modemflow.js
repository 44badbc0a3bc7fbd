'use strict';
'require baseclass';
'require rpc';
'require modemflow.cards as cards';
'require modemflow.format as fmt';

/* A short modemflow summary on Status > Overview: one line per modem, the cost and the power. */

var callStatus = rpc.declare({ object: 'modemflow', method: 'status', expect: { '': {} } });

return baseclass.extend({
	title: _('modemflow'),

	load: function() {
		if (!document.querySelector('link[data-modemflow-css]'))
			document.head.appendChild(E('link', { 'rel': 'stylesheet', 'href': L.resource('modemflow/modemflow.css'), 'data-modemflow-css': '1' }));
		return L.resolveDefault(callStatus(), null);
	},

	render: function(status) {
		if (!status || !status.power)
			return E('em', {}, [ _('modemflow is not running.') ]);

		var rows = status.modems.map(function(m) {
			return E('tr', { 'class': 'tr', 'data-modem': m.name }, [
				E('td', { 'class': 'td left', 'width': '33%' }, [ m.name + ' (' + m.interface + ')' ]),
				E('td', { 'class': 'td left' }, cards.kids([ cards.stateBadge(m.state), m.reason ? ' ' + m.reason : null ]))
			]);
		});
		rows.push(E('tr', { 'class': 'tr' }, [
			E('td', { 'class': 'td left' }, [ _('Cost') ]),
			E('td', { 'class': 'td left' }, [ fmt.sub(_('%s per hour, %s this billing cycle'), fmt.money(status.cost.perHour), fmt.money(status.cost.cycleTotal)) ])
		]));
		rows.push(E('tr', { 'class': 'tr' }, [
			E('td', { 'class': 'td left' }, [ _('Power') ]),
			E('td', { 'class': 'td left' }, [ fmt.watts(status.power.modelledW) + ' / ' + (status.power.limitW == null ? _('unlimited') : fmt.watts(status.power.limitW)) ])
		]));

		return E('div', {}, [
			cards.warnings(status),
			E('table', { 'class': 'table' }, rows)
		]);
	}
});
