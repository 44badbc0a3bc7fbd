'use strict';
'require baseclass';
'require modemflow.format as fmt';

/*
 * Live charts from the daemon's `history` reply, drawn as SVG like
 * luci-mod-status' realtime graphs (polylines in an <svg>, no chart
 * library). The plot stretches to the width of the page; labels and the
 * legend are HTML next to it so that text never stretches with it.
 */

var SVGNS = 'http://www.w3.org/2000/svg';
var W = 600, H = 150;
var COLORS = [ '#1f77b4', '#e4572e', '#2ca02c', '#9467bd', '#d4a017', '#17becf', '#8c564b', '#e377c2' ];

function svg(tag, attrs) {
	var el = document.createElementNS(SVGNS, tag);
	for (var k in attrs)
		if (attrs.hasOwnProperty(k))
			el.setAttribute(k, String(attrs[k]));
	return el;
}

/* The next "round" number at or above v (1, 2, 2.5, 5 x 10^n). */
function niceCeil(v) {
	if (!(v > 0))
		return 1;
	var p = Math.pow(10, Math.floor(Math.log(v) / Math.LN10)), steps = [ 1, 2, 2.5, 5, 10 ];
	for (var i = 0; i < steps.length; i++)
		if (steps[i] * p >= v)
			return steps[i] * p;
	return 10 * p;
}

var METRICS = {
	throughput: { title: _('Throughput per modem'), unit: fmt.rate, perModem: function(s) {
		return (s.rxKbps == null && s.txKbps == null) ? null : (s.rxKbps || 0) + (s.txKbps || 0);
	} },
	rtt: { title: _('Round-trip time per modem'), unit: fmt.ms, perModem: function(s) { return s.rttMs; } },
	cost: { title: _('Cost per hour'), unit: fmt.money, total: function(x) { return x.costPerHour; } },
	power: { title: _('Power of the modems'), unit: fmt.watts, total: function(x) { return x.powerW; }, limit: function(x) { return x.powerLimitW; } }
};

return baseclass.extend({
	METRICS: METRICS,
	COLORS: COLORS,
	niceCeil: niceCeil,

	/* Modem names in a stable order, so each keeps its colour in every chart. */
	modemNames: function(history) {
		var seen = {}, names = [];
		((history && history.samples) || []).forEach(function(s) {
			Object.keys(s.modems || {}).forEach(function(m) {
				if (!seen[m]) {
					seen[m] = true;
					names.push(m);
				}
			});
		});
		return names.sort();
	},

	/* [{ name, color, points: [[t, v|null], ...] }] for one metric. */
	series: function(history, metric) {
		var def = METRICS[metric], samples = (history && history.samples) || [];
		if (!def)
			throw new Error('unknown metric ' + metric);
		if (def.total) {
			var out = [ { name: def.title, color: COLORS[0], points: samples.map(function(s) { return [ s.t, def.total(s) ]; }) } ];
			if (def.limit && samples.some(function(s) { return def.limit(s) != null; }))
				out.push({ name: _('Limit'), color: '#888', dashed: true, points: samples.map(function(s) { return [ s.t, def.limit(s) ]; }) });
			return out;
		}
		return this.modemNames(history).map(function(m, i) {
			return {
				name: m,
				color: COLORS[i % COLORS.length],
				points: samples.map(function(s) {
					var v = s.modems && s.modems[m] ? def.perModem(s.modems[m]) : null;
					return [ s.t, fmt.known(v) ? v : null ];
				})
			};
		});
	},

	/* Polyline point lists; a null value ends a segment (the line shows the gap). */
	segments: function(points, t0, t1, yMax) {
		var segs = [], cur = [], span = Math.max(1, t1 - t0);
		points.forEach(function(p) {
			if (p[1] == null || !isFinite(p[1])) {
				if (cur.length)
					segs.push(cur);
				cur = [];
				return;
			}
			var x = (p[0] - t0) / span * W, y = H - Math.min(p[1], yMax) / yMax * H;
			cur.push(x.toFixed(1) + ',' + y.toFixed(1));
		});
		if (cur.length)
			segs.push(cur);
		return segs.map(function(s) { return s.length === 1 ? [ s[0], s[0] ] : s; }).map(function(s) { return s.join(' '); });
	},

	render: function(history, metric) {
		var def = METRICS[metric], series = this.series(history, metric),
		    samples = (history && history.samples) || [];

		var box = E('div', { 'class': 'mf-chart', 'data-metric': metric }, [ E('div', { 'class': 'mf-chart-title' }, [ def.title ]) ]);

		if (!samples.length) {
			box.appendChild(E('div', { 'class': 'mf-chart-empty' }, [ _('No history yet.') ]));
			return box;
		}

		var t0 = samples[0].t, t1 = samples[samples.length - 1].t, max = 0;
		series.forEach(function(s) {
			s.points.forEach(function(p) {
				if (p[1] != null && p[1] > max)
					max = p[1];
			});
		});
		var yMax = niceCeil(max);

		var plot = svg('svg', { 'viewBox': '0 0 ' + W + ' ' + H, 'preserveAspectRatio': 'none', 'class': 'mf-chart-svg', 'role': 'img', 'aria-label': def.title });
		for (var g = 1; g < 4; g++)
			plot.appendChild(svg('line', { 'x1': 0, 'x2': W, 'y1': H * g / 4, 'y2': H * g / 4, 'class': 'mf-grid' }));
		var self = this;
		series.forEach(function(s) {
			self.segments(s.points, t0, t1, yMax).forEach(function(pts) {
				plot.appendChild(svg('polyline', {
					'points': pts, 'fill': 'none', 'stroke': s.color, 'stroke-width': 2,
					'vector-effect': 'non-scaling-stroke', 'data-series': s.name,
					'stroke-dasharray': s.dashed ? '6 4' : 'none'
				}));
			});
		});

		var spanS = Math.round((t1 - t0) / 1000);
		box.appendChild(E('div', { 'class': 'mf-chart-area' }, [
			plot,
			E('span', { 'class': 'mf-axis mf-axis-top' }, [ def.unit(yMax) ]),
			E('span', { 'class': 'mf-axis mf-axis-mid' }, [ def.unit(yMax / 2) ]),
			E('span', { 'class': 'mf-axis mf-axis-left' }, [ '\u2212' + fmt.duration(spanS) ]),
			E('span', { 'class': 'mf-axis mf-axis-right' }, [ _('now') ])
		]));

		box.appendChild(E('div', { 'class': 'mf-legend' }, series.map(function(s) {
			var last = null;
			for (var i = s.points.length - 1; i >= 0 && last == null; i--)
				last = s.points[i][1];
			return E('span', { 'class': 'mf-legend-item', 'data-series': s.name }, [
				E('span', { 'class': 'mf-swatch', 'style': 'background:' + s.color }),
				s.name + ': ' + def.unit(last)
			]);
		})));
		return box;
	},

	/* The four charts of the overview. */
	renderAll: function(history) {
		var self = this;
		return E('div', { 'class': 'mf-charts' }, [ 'throughput', 'rtt', 'cost', 'power' ].map(function(m) { return self.render(history, m); }));
	}
});
