/*
 * Recording stand-ins for the LuCI classes the views require (view, poll,
 * rpc, ui, form, uci), following the signatures of luci-base's luci.js,
 * rpc.js, form.js and uci.js. They let the real view files run here; what
 * the views did lands in window.rec for the test to check.
 */
(function() {
	'use strict';
	var Class = harness.Class;
	var rec = window.rec = { calls: [], polls: [], notes: [], options: [], sections: [], added: [] };

	function typeOf(v) { return Object.prototype.toString.call(v); }

	harness.installShims = function(replies) {
		harness.provide('rpc', {
			declare: function(opts) {
				return function() {
					var args = Array.prototype.slice.call(arguments), params = {};
					(opts.params || []).forEach(function(p, i) { if (args[i] !== undefined) params[p] = args[i]; });
					rec.calls.push({ object: opts.object, method: opts.method, params: params });
					var key = opts.object + '.' + opts.method;
					if (!(key in replies))
						return Promise.reject(new Error('RPCError: ' + key + ' not answering'));
					var ret = typeof(replies[key]) == 'function' ? replies[key](params) : JSON.parse(JSON.stringify(replies[key]));
					/* `expect` as rpc.js applies it */
					for (var k in (opts.expect || {})) {
						if (ret != null && k != '')
							ret = ret[k];
						if (ret == null || typeOf(ret) != typeOf(opts.expect[k]))
							ret = opts.expect[k];
						break;
					}
					return Promise.resolve(ret);
				};
			}
		});
		harness.provide('poll', { add: function(fn, interval) { rec.polls.push({ fn: fn, interval: interval }); return true; } });
		harness.provide('ui', { addNotification: function(title, children, cls) { rec.notes.push({ title: title, cls: cls, text: (children && children.textContent) || '' }); } });
		harness.provide('view', Class.extend({
			__init__: function() {
				var self = this, vp = document.getElementById('view');
				this.ready = Promise.resolve(this.load()).then(function(data) { return self.render(data); }).then(function(node) {
					while (vp.firstChild)
						vp.removeChild(vp.firstChild);
					vp.appendChild(node);
				});
			},
			load: function() {},
			render: function() {}
		}));

		var uciData = replies.uci || {};
		harness.provide('uci', {
			load: function() { return Promise.resolve(); },
			get: function(conf, sid) { return uciData[sid] || null; },
			add: function(conf, type, name) { rec.added.push([ type, name ]); uciData[name] = { '.type': type }; return name; }
		});

		var Option = Class.extend({
			__init__: function(section, name, title, description) {
				this.section = section;
				this.option = name;
				this.title = title;
				this.description = description;
				this.choices = [];
				this.deps = [];
				this.rmempty = true;
			},
			value: function(k, label) { this.choices.push(k); },
			depends: function(field, value) { this.deps.push([ field, value ]); }
		});
		function widget(name, extra) {
			var cls = Option.extend(Object.assign({ widgetName: name }, extra || {}));
			return cls;
		}
		var Section = Class.extend({
			__init__: function(map, type, title) {
				this.map = map;
				this.sectiontype = type;
				this.tabs = [];
				rec.sections.push({ kind: this.kind, type: type });
			},
			tab: function(name) { this.tabs.push(name); },
			option: function(cls, name, title, description) { return this.taboption(null, cls, name, title, description); },
			taboption: function(tab, cls, name, title, description) {
				if (tab != null && this.tabs.indexOf(tab) < 0)
					throw new Error('tab ' + tab + ' not declared in section ' + this.sectiontype);
				var o = new cls(this, name, title, description);
				o.tab = tab;
				rec.options.push(o);
				return o;
			}
		});
		var form = {
			Map: Class.extend({
				__init__: function(config) { this.config = config; rec.map = this; },
				section: function(cls) {
					var args = Array.prototype.slice.call(arguments, 1);
					/* NamedSection(map, name, type, ...); others (map, type, ...) */
					var s = cls.prototype.kind === 'NamedSection' ? new cls(this, args[1], args[2], args[0]) : new cls(this, args[0], args[1]);
					return s;
				},
				render: function() { return Promise.resolve(E('div', { 'class': 'cbi-map' }, [ 'form' ])); }
			}),
			NamedSection: Section.extend({ kind: 'NamedSection' }),
			TypedSection: Section.extend({ kind: 'TypedSection' }),
			GridSection: Section.extend({ kind: 'GridSection' }),
			Value: widget('Value'),
			ListValue: widget('ListValue'),
			DynamicList: widget('DynamicList'),
			MultiValue: widget('MultiValue'),
			Flag: widget('Flag', { enabled: '1', disabled: '0' }),
			DummyValue: widget('DummyValue')
		};
		harness.provide('form', form);
	};
})();
