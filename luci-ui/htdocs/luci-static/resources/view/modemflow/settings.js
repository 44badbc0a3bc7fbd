'use strict';
'require view';
'require form';
'require rpc';
'require uci';
'require modemflow.validate as mfv';

/*
 * Network > modemflow: /etc/config/modemflow as a form, one tab per section
 * type. Every field takes its widget, datatype, limits, default and help from
 * the daemon's schema (modemflow/validate.js); options the layout below does
 * not place yet still get a field at the end of their tab. Save & Apply
 * makes the daemon reload.
 */

var callInterfaces = rpc.declare({ object: 'network.interface', method: 'dump', expect: { 'interface': [] } });
var callReload = rpc.declare({ object: 'modemflow', method: 'reload' });

var SINGLE = [ 'globals', 'power', 'telemetry' ];

/* Adds, in schema order, the options of `type` that have no field yet. */
function addRest(s, tab, type, placed, modal) {
	var sec = mfv.sections().filter(function(x) { return x.type === type; })[0];
	(sec ? sec.options : []).forEach(function(opt) {
		if (!placed[opt.name]) {
			var o = mfv.field(form, s, tab, type, opt.name, opt.name);
			if (modal)
				o.modalonly = true;
		}
	});
}

return view.extend({
	load: function() {
		return Promise.all([
			L.resolveDefault(callInterfaces(), []),
			uci.load('modemflow')
		]);
	},

	render: function(data) {
		var ifaces = (data[0] || []).map(function(i) { return i['interface']; })
			.filter(function(n) { return n && n !== 'loopback'; }).sort();

		/* The singleton sections must exist for their tabs to show. */
		SINGLE.forEach(function(t) {
			if (uci.get('modemflow', t) == null)
				uci.add('modemflow', t, t);
		});

		var m = new form.Map('modemflow', _('modemflow'),
			_('Which modem carries which traffic: SIM plans, thresholds, traffic classes, the power budget and reporting. Values are checked as the daemon checks them.'));
		m.tabbed = true;

		var s, o, placed;
		function f(tab, type, name, title, labels) {
			placed[name] = true;
			return mfv.field(form, s, tab, type, name, title, labels);
		}

		/* General */
		s = m.section(form.NamedSection, 'globals', 'globals', _('General'));
		s.addremove = false;
		placed = {};
		f(null, 'globals', 'enabled', _('Enable modemflow'));
		f(null, 'globals', 'log_level', _('Log level'));
		o = f(null, 'globals', 'lan', _('LAN interfaces'));
		ifaces.forEach(function(n) { o.value(n); });
		f(null, 'globals', 'lan_prefix', _('LAN prefixes'));
		f(null, 'globals', 'solve_interval', _('Solve interval'));
		f(null, 'globals', 'hysteresis', _('Hysteresis'));
		f(null, 'globals', 'mark_mask', _('Mark mask'));
		f(null, 'globals', 'table_base', _('First routing table'));
		f(null, 'globals', 'rule_priority_base', _('First rule priority'));
		addRest(s, null, 'globals', placed);

		/* Modems */
		s = m.section(form.GridSection, 'modem', _('Modems'), _('One section per modem; the section name names the modem.'));
		s.addremove = true;
		s.anonymous = false;
		s.sortable = true;
		s.nodescriptions = true;
		s.tab('general', _('General'));
		s.tab('plan', _('SIM plan'));
		s.tab('thresholds', _('Thresholds'));
		s.tab('probes', _('Probes'));
		s.tab('power', _('Power'));
		placed = {};
		f('general', 'modem', 'enabled', _('Enabled')).editable = true;
		o = f('general', 'modem', 'interface', _('Interface'));
		ifaces.forEach(function(n) { o.value(n); });
		f('general', 'modem', 'tier', _('Tier'), { primary: _('primary: used first'), overflow: _('overflow: when primaries are full'), backup: _('backup: only when nothing else works'), never: _('never') });
		o = f('general', 'modem', 'metrics', _('Metrics source'));
		o.modalonly = true;
		o = f('general', 'modem', 'device', _('Device'));
		o.modalonly = true;
		o = f('general', 'modem', 'allow_sim_switch', _('Allow SIM switch'));
		o.modalonly = true;
		f('plan', 'modem', 'price_per_gb', _('Price per GB'));
		f('plan', 'modem', 'quota_gb', _('Quota (GB)'));
		[ [ 'billing_day', _('Billing day') ], [ 'over_quota', _('At quota') ] ].forEach(function(x) {
			f('plan', 'modem', x[0], x[1]).modalonly = true;
		});
		o = f('plan', 'modem', 'overage_price_per_gb', _('Overage price per GB'));
		o.depends('over_quota', 'overage');
		o.modalonly = true;
		[ [ 'up_kbps', _('Upload cap') ], [ 'down_kbps', _('Download cap') ] ].forEach(function(x) {
			f('plan', 'modem', x[0], x[1]).modalonly = true;
		});
		[ [ 'min_rsrp', _('Minimum RSRP') ], [ 'min_sinr', _('Minimum SINR') ], [ 'max_loss', _('Maximum loss') ],
		  [ 'max_rtt', _('Maximum RTT') ], [ 'min_down_kbps', _('Minimum capacity') ] ].forEach(function(x) {
			f('thresholds', 'modem', x[0], x[1]).modalonly = true;
		});
		f('probes', 'modem', 'probe', _('Probe targets')).modalonly = true;
		f('probes', 'modem', 'probe_interval', _('Probe interval')).modalonly = true;
		[ [ 'power_base_mw', _('Idle power') ], [ 'power_tx_mw_per_mbps', _('Power per Mbps sent') ],
		  [ 'power_rx_mw_per_mbps', _('Power per Mbps received') ] ].forEach(function(x) {
			o = f('power', 'modem', x[0], x[1]);
			o.modalonly = true;
			var own = o.validate;
			/* The daemon wants all three power_ options or none. */
			o.validate = function(section_id, value) {
				var r = own.call(this, section_id, value);
				if (r !== true)
					return r;
				var set = [ 'power_base_mw', 'power_tx_mw_per_mbps', 'power_rx_mw_per_mbps' ].filter(function(n) {
					var v = this.section.formvalue(section_id, n);
					return v != null && v !== '';
				}, this).length;
				return (set === 0 || set === 3) ? true : _('Set all three power values or none.');
			};
		});
		addRest(s, 'general', 'modem', placed, true);

		/* Traffic classes */
		s = m.section(form.GridSection, 'class', _('Traffic classes'), _('Rules tried in order before the built-in classes; the first whose matchers all hold decides the class.'));
		s.addremove = true;
		s.anonymous = false;
		s.sortable = true;
		s.nodescriptions = true;
		placed = {};
		f(null, 'class', 'enabled', _('Enabled')).editable = true;
		f(null, 'class', 'qos', _('QoS class'), { C: _('C: conversational'), S: _('S: streaming'), I: _('I: interactive'), B: _('B: background') });
		f(null, 'class', 'proto', _('Protocol'));
		f(null, 'class', 'dest_port', _('Destination ports'));
		f(null, 'class', 'src_ip', _('LAN hosts'));
		f(null, 'class', 'domain', _('Domains'));
		[ [ 'dscp', _('DSCP') ], [ 'src_port', _('Source ports') ], [ 'src_mac', _('LAN MAC addresses') ], [ 'dest_ip', _('Destinations') ],
		  [ 'up_kbps', _('Assumed upload') ], [ 'down_kbps', _('Assumed download') ] ].forEach(function(x) {
			f(null, 'class', x[0], x[1]).modalonly = true;
		});
		addRest(s, null, 'class', placed, true);

		/* Power */
		s = m.section(form.NamedSection, 'power', 'power', _('Power'));
		s.addremove = false;
		placed = {};
		f(null, 'power', 'source', _('Power source'), { mains: _('mains (no limit)'), battery: _('battery'), solar: _('solar'), vehicle: _('vehicle') });
		[ [ 'limit_w', _('Power limit') ], [ 'battery', _('Battery (sysfs)') ], [ 'ubus_object', _('Battery (ubus object)') ],
		  [ 'reserve', _('Reserve') ], [ 'autonomy', _('Autonomy') ], [ 'base_load_w', _('Base load') ] ].forEach(function(x) {
			o = f(null, 'power', x[0], x[1]);
			[ 'battery', 'solar', 'vehicle' ].forEach(function(src) { o.depends('source', src); });
		});
		addRest(s, null, 'power', placed);

		/* Telemetry */
		s = m.section(form.NamedSection, 'telemetry', 'telemetry', _('Telemetry'));
		s.addremove = false;
		placed = {};
		f(null, 'telemetry', 'enabled', _('Report to an MQTT broker'));
		f(null, 'telemetry', 'broker', _('Broker URL'));
		f(null, 'telemetry', 'ca_file', _('CA certificate'));
		f(null, 'telemetry', 'cert_file', _('Client certificate'));
		f(null, 'telemetry', 'key_file', _('Client key'));
		f(null, 'telemetry', 'username', _('User name'));
		o = f(null, 'telemetry', 'password', _('Password'));
		o.password = true;
		f(null, 'telemetry', 'device_id', _('Device id'));
		f(null, 'telemetry', 'topic_root', _('Topic root'));
		f(null, 'telemetry', 'state_interval', _('State interval'));
		f(null, 'telemetry', 'metrics_interval', _('Metrics interval'));
		f(null, 'telemetry', 'allow_commands', _('Accept commands'));
		f(null, 'telemetry', 'command', _('Accepted commands')).depends('allow_commands', '1');
		addRest(s, null, 'telemetry', placed);

		return m.render();
	},

	/* After the changes are applied (LuCI's 'uci-applied' event), ask the daemon to reload now. */
	handleSaveApply: function(ev, mode) {
		document.addEventListener('uci-applied', function() {
			L.resolveDefault(callReload(), null);
		}, { once: true });
		return this.super('handleSaveApply', [ ev, mode ]);
	}
});
