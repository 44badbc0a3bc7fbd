/*
 * What the tests run inside the page (kept here, in the page's own language,
 * so the Node side stays free of DOM types): each returns plain data.
 */
(function() {
	'use strict';
	window.probes = {
		runView: function(name, replies, nowMs) {
			/* The views read the clock for "ago" columns: pin it to the fixtures' now. */
			Date.now = function() { return nowMs; };
			harness.installShims(replies);
			return harness.require(name).then(function(v) { return v.ready; }).then(function() { return true; });
		},
		/* Text and attributes that show a value went missing. */
		junk: function() {
			var bad = [], walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
			for (var n = walk.nextNode(); n; n = walk.nextNode())
				if (/\b(null|undefined|NaN)\b|\[object /.test(n.textContent || ''))
					bad.push(n.textContent.trim());
			document.querySelectorAll('*').forEach(function(el) {
				Array.prototype.forEach.call(el.attributes, function(a) {
					if (/\b(undefined|NaN)\b/.test(a.value))
						bad.push(el.tagName + '@' + a.name + '=' + a.value);
				});
			});
			return bad;
		},
		setDark: function(dark) {
			if (dark)
				document.documentElement.setAttribute('data-darkmode', 'true');
			else
				document.documentElement.removeAttribute('data-darkmode');
			return true;
		},
		calls: function(method) {
			return rec.calls.filter(function(c) { return !method || c.method === method; });
		},
		/* Runs every registered poll task once; returns their intervals. */
		runPolls: function() {
			return Promise.all(rec.polls.map(function(p) { return p.fn(); })).then(function() {
				return rec.polls.map(function(p) { return p.interval; });
			});
		},
		statusWidget: function(replies) {
			harness.installShims(replies);
			return harness.require('view.status.include.70_modemflow').then(function(widget) {
				return widget.load().then(function(data) {
					document.getElementById('view').appendChild(widget.render(data));
					return {
						title: widget.title,
						modems: Array.prototype.map.call(document.querySelectorAll('#view tr[data-modem]'), function(e) { return e.getAttribute('data-modem'); })
					};
				});
			});
		},
		settingsFields: function(replies) {
			harness.installShims(replies);
			return harness.require('view.modemflow.settings').then(function(v) { return v.ready; }).then(function() {
				return {
					added: rec.added,
					options: rec.options.map(function(o) {
						return {
							section: o.section.sectiontype, name: o.option, widget: o.widgetName,
							datatype: o.datatype == null ? null : o.datatype, validates: typeof(o.validate) === 'function',
							choices: o.choices, tab: o.tab
						};
					})
				};
			});
		},
		/* cases: [{ o: optionSchema, values: [...] }] -> [[accepted, ...], ...] */
		checkAll: function(cases) {
			return harness.require('modemflow.validate').then(function(mfv) {
				return cases.map(function(c) { return c.values.map(function(v) { return mfv.check(c.o, v) === true; }); });
			});
		},
		scrollWidth: function() {
			return document.documentElement.scrollWidth;
		}
	};
})();
