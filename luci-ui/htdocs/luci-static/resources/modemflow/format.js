'use strict';
'require baseclass';

/*
 * Number formatting for the modemflow pages. Every function returns a plain
 * string; unknown values (null) become an en dash, never "null" or "NaN".
 */

var DASH = '\u2013';

function known(v) {
	return typeof(v) === 'number' && isFinite(v);
}

function fixed(v, digits) {
	return v.toFixed(digits).replace(/\.0+$/, '');
}

return baseclass.extend({
	DASH: DASH,

	known: known,

	/* kbit/s as kbit/s, Mbit/s or Gbit/s. */
	rate: function(kbps) {
		if (!known(kbps))
			return DASH;
		if (kbps >= 1e6)
			return fixed(kbps / 1e6, 2) + ' Gbit/s';
		if (kbps >= 1000)
			return fixed(kbps / 1000, kbps >= 1e5 ? 0 : 1) + ' Mbit/s';
		return fixed(kbps, 0) + ' kbit/s';
	},

	ms: function(v) {
		return known(v) ? fixed(v, v >= 100 ? 0 : 1) + ' ms' : DASH;
	},

	/* A share 0..1+ as percent. */
	share: function(v) {
		return known(v) ? fixed(v * 100, 0) + ' %' : DASH;
	},

	pct: function(v) {
		return known(v) ? fixed(v, v >= 10 ? 0 : 1) + ' %' : DASH;
	},

	watts: function(v) {
		return known(v) ? fixed(v, 2) + ' W' : DASH;
	},

	/* Money in the SIM plans' currency (the daemon does not know its name). */
	money: function(v) {
		if (!known(v))
			return DASH;
		return v.toFixed(Math.abs(v) < 0.1 && v !== 0 ? 3 : 2);
	},

	dbm: function(v) {
		return known(v) ? fixed(v, 0) + ' dBm' : DASH;
	},

	db: function(v) {
		return known(v) ? fixed(v, 0) + ' dB' : DASH;
	},

	bytes: function(v) {
		if (!known(v))
			return DASH;
		if (v >= 1e9)
			return fixed(v / 1e9, 2) + ' GB';
		if (v >= 1e6)
			return fixed(v / 1e6, 1) + ' MB';
		return fixed(v / 1e3, 0) + ' kB';
	},

	/* A duration in seconds, the two largest units. */
	duration: function(s) {
		if (!known(s) || s < 0)
			return DASH;
		s = Math.floor(s);
		var d = Math.floor(s / 86400), h = Math.floor(s % 86400 / 3600),
		    m = Math.floor(s % 3600 / 60), sec = s % 60;
		if (d > 0)
			return d + 'd ' + h + 'h';
		if (h > 0)
			return h + 'h ' + m + 'm';
		if (m > 0)
			return m + 'm ' + sec + 's';
		return sec + 's';
	},

	/* How long ago atMs was, seen from nowMs. */
	ago: function(atMs, nowMs) {
		if (!known(atMs) || !known(nowMs))
			return DASH;
		return this.duration(Math.max(0, (nowMs - atMs) / 1000));
	},

	/* Wall-clock time of day, hh:mm:ss in the browser's zone. */
	clock: function(atMs) {
		if (!known(atMs))
			return DASH;
		var d = new Date(atMs);
		function two(n) { return (n < 10 ? '0' : '') + n; }
		return two(d.getHours()) + ':' + two(d.getMinutes()) + ':' + two(d.getSeconds());
	},

	/*
	 * Fills %s / %d placeholders in order, so translated strings keep their
	 * figures without relying on String.prototype.format.
	 */
	sub: function(template /*, ... */) {
		var args = Array.prototype.slice.call(arguments, 1), i = 0;
		return String(template).replace(/%[sd]/g, function() {
			var v = args[i++];
			return v == null ? DASH : String(v);
		});
	},

	/* Text or the dash for null/empty. */
	text: function(v) {
		return (v == null || v === '') ? DASH : String(v);
	}
});
