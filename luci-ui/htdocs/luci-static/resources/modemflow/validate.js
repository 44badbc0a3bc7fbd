'use strict';
'require baseclass';
'require modemflow.schema as schema';

/*
 * The settings form's field rules, derived from the daemon's schema
 * (modemflow/schema.js, generated from `modemflow config schema`): the LuCI
 * datatype that states the limits, and a validate function that accepts
 * exactly what the daemon accepts (src/config/section-reader.ts
 * convertScalar and src/config/formats.ts checkFormat), so the form refuses
 * what the daemon would refuse. test/luci checks both against the daemon's
 * own code.
 */

var TRUE = [ '1', 'yes', 'on', 'true', 'enabled' ],
    FALSE = [ '0', 'no', 'off', 'false', 'disabled' ],
    NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

function parseV4(s) {
	var parts = s.split('.');
	if (parts.length !== 4)
		return null;
	var out = [];
	for (var i = 0; i < 4; i++) {
		/* no leading zeros: some tools read them as octal */
		if (!/^(0|[1-9]\d{0,2})$/.test(parts[i]) || +parts[i] > 255)
			return null;
		out.push(+parts[i]);
	}
	return out;
}

function groups(part, v4tail) {
	if (part === '')
		return [];
	var items = part.split(':'), out = [];
	for (var i = 0; i < items.length; i++) {
		if (v4tail && i === items.length - 1 && items[i].indexOf('.') >= 0) {
			if (!parseV4(items[i]))
				return null;
			out.push(0, 0);
			continue;
		}
		if (!/^[0-9a-fA-F]{1,4}$/.test(items[i]))
			return null;
		out.push(0);
	}
	return out;
}

function isV6(s) {
	if (s.length > 45)
		return false;
	var dbl = s.indexOf('::');
	if (dbl >= 0) {
		if (s.indexOf('::', dbl + 1) >= 0)
			return false;
		var h = groups(s.slice(0, dbl), false), t = groups(s.slice(dbl + 2), true);
		return !!h && !!t && h.length + t.length <= 7;
	}
	var all = groups(s, true);
	return !!all && all.length === 8;
}

function isIp(s) {
	return s.indexOf(':') >= 0 ? isV6(s) : parseV4(s) != null;
}

function isCidr(s) {
	var slash = s.indexOf('/'), addr = slash >= 0 ? s.slice(0, slash) : s;
	if (!isIp(addr))
		return false;
	if (slash < 0)
		return true;
	var len = s.slice(slash + 1);
	return /^(0|[1-9]\d{0,2})$/.test(len) && +len <= (addr.indexOf(':') >= 0 ? 128 : 32);
}

function portRange(s) {
	var m = /^(\d{1,5})(?:-(\d{1,5}))?$/.exec(s);
	if (!m)
		return false;
	var from = +m[1], to = m[2] === undefined ? from : +m[2];
	return from >= 1 && to <= 65535 && from <= to;
}

function dscp(s) {
	if (/^\d{1,2}$/.test(s))
		return +s <= 63;
	s = s.toUpperCase();
	return /^(BE|DF|EF|VA|LE|CS[0-7]|AF[1-4][1-3])$/.test(s);
}

function domain(s) {
	if (s.length > 253)
		return false;
	var labels = s.split('.');
	return labels.length >= 2 && labels.every(function(l) { return /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l); });
}

function url(s) {
	if (/[\s\x00-\x1f]/.test(s))
		return false;
	var u;
	try { u = new URL(s); }
	catch (e) { return false; }
	return [ 'mqtt:', 'mqtts:', 'ws:', 'wss:' ].indexOf(u.protocol) >= 0 && u.hostname !== '';
}

function path(s) {
	return s.charAt(0) === '/' && s.length <= 4096 && !/[\x00-\x1f\x7f]/.test(s) &&
		!s.split('/').some(function(seg) { return seg === '..' || seg === '.'; });
}

function utf8Length(s) {
	return unescape(encodeURIComponent(s)).length;
}

/* format -> [ test, what is expected ] */
var FORMATS = {
	'ifname': [ function(s) { return /^[A-Za-z0-9_]{1,15}$/.test(s); }, _('a netifd interface name (1-15 of A-Z a-z 0-9 _)') ],
	'ip': [ isIp, _('an IPv4 or IPv6 address') ],
	'cidr': [ isCidr, _('an IPv4 or IPv6 address or CIDR (e.g. 192.168.1.0/24)') ],
	'mac': [ function(s) { return /^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$/.test(s); }, _('a MAC address (aa:bb:cc:dd:ee:ff)') ],
	'port-range': [ portRange, _('a port or port range (1-65535, e.g. 443 or 10000-20000)') ],
	'dscp': [ dscp, _('a DSCP value 0-63 or a name (EF, CS1, AF41...)') ],
	'domain': [ domain, _('a domain name (e.g. example.com)') ],
	'url': [ url, _('an mqtt://, mqtts://, ws:// or wss:// URL with a host') ],
	'path': [ path, _('an absolute file path') ],
	'sysfs-path': [ function(s) { return path(s) && s.indexOf('/sys/') === 0; }, _('a directory under /sys/') ],
	'mqtt-id': [ function(s) { return /^[A-Za-z0-9_-]{1,64}$/.test(s); }, _('1-64 of A-Z a-z 0-9 _ -') ],
	'mqtt-topic': [ function(s) { return s.length <= 128 && /^[A-Za-z0-9_.-]+(\/[A-Za-z0-9_.-]+)*$/.test(s); }, _('topic parts of A-Z a-z 0-9 _ . - separated by /') ],
	'ubus-object': [ function(s) { return /^[A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*$/.test(s); }, _('a ubus object name') ],
	'device': [ function(s) { return /^[A-Za-z0-9_./:@-]{1,128}$/.test(s) && s.split('/').indexOf('..') < 0; }, _('a device handle (e.g. /dev/cdc-wdm0)') ],
	'text': [ function(s) { return utf8Length(s) <= 256 && !/[\x00-\x1f\x7f]/.test(s); }, _('text without control characters (at most 256 bytes)') ]
};

/* The LuCI datatypes (validation.js) that state each string format, where one exists. */
var FORMAT_DATATYPES = {
	'ifname': 'and(uciname,maxlength(15))',
	'ip': 'ipaddr(1)',
	'cidr': 'ipaddr',
	'mac': 'macaddr',
	'port-range': 'portrange',
	'domain': 'hostname'
};

function describe(t) {
	switch (t.kind) {
	case 'bool': return _('a boolean');
	case 'int': return _('an integer from %d to %d').replace('%d', t.min).replace('%d', t.max) + (t.hex ? ' ' + _('(decimal or 0x hex)') : '');
	case 'number':
		var b = [];
		if (t.greaterThan !== undefined) b.push('> ' + t.greaterThan);
		if (t.min !== undefined) b.push('>= ' + t.min);
		if (t.max !== undefined) b.push('<= ' + t.max);
		return _('a number') + (b.length ? ' ' + b.join(' ' + _('and') + ' ') : '');
	case 'enum': return _('one of') + ' ' + t.values.join(', ');
	case 'string': return FORMATS[t.format] ? FORMATS[t.format][1] : t.format;
	}
	return String(t.kind);
}

return baseclass.extend({
	FORMATS: FORMATS,

	sections: function() {
		return schema.sections;
	},

	/* The schema of one option; throws when the schema has no such option. */
	option: function(sectionType, name) {
		var sec = schema.sections.filter(function(s) { return s.type === sectionType; })[0];
		var opt = sec ? sec.options.filter(function(o) { return o.name === name; })[0] : null;
		if (!opt)
			throw new Error('modemflow schema has no option ' + sectionType + '.' + name);
		return opt;
	},

	/* true, or what was expected (one value; lists are checked item by item). */
	check: function(opt, raw) {
		var t = opt.type, ok;
		raw = String(raw);
		switch (t.kind) {
		case 'bool':
			ok = TRUE.indexOf(raw) >= 0 || FALSE.indexOf(raw) >= 0;
			break;
		case 'int':
			var hex = t.hex === true && /^0x[0-9a-fA-F]{1,8}$/.test(raw);
			var n = hex ? parseInt(raw.slice(2), 16) : /^[+-]?\d{1,12}$/.test(raw) ? Number(raw) : NaN;
			ok = Number.isInteger(n) && n >= t.min && n <= t.max;
			break;
		case 'number':
			var v = NUMBER.test(raw) ? Number(raw) : NaN;
			ok = isFinite(v) &&
				(t.greaterThan === undefined || v > t.greaterThan) &&
				(t.min === undefined || v >= t.min) &&
				(t.max === undefined || v <= t.max);
			break;
		case 'enum':
			ok = t.values.indexOf(raw) >= 0;
			break;
		case 'string':
			ok = FORMATS[t.format] ? FORMATS[t.format][0](raw) : false;
			break;
		default:
			ok = false;
		}
		return ok ? true : _('Expecting: %s').replace('%s', describe(t));
	},

	/* The LuCI datatype string for an option, or null where a widget or validate() says it all. */
	datatype: function(opt) {
		var t = opt.type;
		switch (t.kind) {
		case 'int':
			return t.hex ? null : 'and(integer,range(' + t.min + ',' + t.max + '))';
		case 'number':
			var lo = t.min, hi = t.max;
			if (lo !== undefined && hi !== undefined)
				return 'range(' + lo + ',' + hi + ')';
			if (lo !== undefined)
				return 'min(' + lo + ')';
			if (hi !== undefined)
				return 'max(' + hi + ')';
			return 'float';
		case 'string':
			return FORMAT_DATATYPES[t.format] || null;
		}
		return null;
	},

	/* The form widget class name an option needs. */
	widget: function(opt) {
		if (opt.type.kind === 'bool')
			return 'Flag';
		if (opt.list)
			return 'DynamicList';
		if (opt.type.kind === 'enum')
			return 'ListValue';
		return 'Value';
	},

	/*
	 * Adds the option `name` of section type `sectionType` to form section
	 * `s` (in tab `tab` when given), with the widget, datatype, validation,
	 * default and help the schema gives. `labels` optionally names enum
	 * values. Returns the form option for further tuning.
	 */
	field: function(form, s, tab, sectionType, name, title, labels) {
		var opt = this.option(sectionType, name), self = this,
		    cls = form[this.widget(opt)],
		    help = opt.help + (opt.unit ? ' [' + opt.unit + ']' : ''),
		    o = tab ? s.taboption(tab, cls, name, title, help) : s.option(cls, name, title, help);

		var dt = this.datatype(opt);
		if (dt)
			o.datatype = dt;

		if (opt.type.kind === 'bool') {
			o.default = opt['default'] ? o.enabled : o.disabled;
			return o;
		}

		if (opt.type.kind === 'enum')
			opt.type.values.forEach(function(v) { o.value(v, labels && labels[v] ? labels[v] : v); });

		if (opt.type.kind === 'enum' && !opt.list) {
			if (opt['default'] != null)
				o.default = String(opt['default']);
			else if (!opt.required)
				o.optional = true;
		}
		else if (Array.isArray(opt['default'])) {
			if (opt['default'].length)
				o.placeholder = opt['default'].join(' ');
		}
		else if (opt['default'] != null) {
			o.placeholder = String(opt['default']);
		}

		o.rmempty = !opt.required;
		o.validate = function(section_id, value) {
			if (value == null || value === '' || (Array.isArray(value) && !value.length))
				return opt.required ? _('Expecting: %s').replace('%s', describe(opt.type)) : true;
			var items = Array.isArray(value) ? value : [ value ];
			for (var i = 0; i < items.length; i++) {
				var r = self.check(opt, items[i]);
				if (r !== true)
					return r;
			}
			return true;
		};
		return o;
	}
});
