/*
 * Test harness for luci-app-modemflow's browser code (no LuCI on this
 * machine). It provides, with the semantics of luci-base's luci.js:
 *   E(tag|Node|'<html>', [attrs], [children])   dom.create/attr/append, including
 *       the 25.12 branch behaviour that prints "null" for a null array child and
 *       parses a bare string child as HTML (so tests catch both mistakes);
 *   _(s)                                         identity (no catalog loaded);
 *   L.bind, L.resolveDefault, L.resource, L.isObject;
 *   baseclass (Class.extend/instantiate/super as luci.js defines them);
 *   module loading of 'require name [as alias]' directives into
 *       (function(window, document, L, deps...) { source }) as L.require does.
 * Everything else a view requires (view, poll, rpc, ui, form, uci) is a
 * recording stand-in given by the test through harness.provide(); the
 * helper modules under modemflow/ require only baseclass and each other.
 */
(function() {
	'use strict';

	var superContext = null, Class = Object.assign(function() {}, {
		extend: function(properties) {
			var props = { __base__: { value: this.prototype }, __name__: { value: properties.__name__ || 'anonymous' } };
			var ClassConstructor = function() {
				if (!(this instanceof ClassConstructor))
					throw new TypeError('Constructor must not be called without "new"');
				if (Object.getPrototypeOf(this).hasOwnProperty('__init__')) {
					if (typeof(this.__init__) != 'function')
						throw new TypeError('Class __init__ member is not a function');
					this.__init__.apply(this, arguments);
				}
				else {
					this.super('__init__', arguments);
				}
			};
			for (var key in properties)
				if (!props[key] && properties.hasOwnProperty(key))
					props[key] = { value: properties[key], writable: true };
			ClassConstructor.prototype = Object.create(this.prototype, props);
			ClassConstructor.prototype.constructor = ClassConstructor;
			Object.assign(ClassConstructor, this);
			return ClassConstructor;
		},
		instantiate: function(args) {
			return new (Function.prototype.bind.apply(this, [ null ].concat(Array.prototype.slice.call(args))))();
		},
		isSubclass: function(c) {
			return c != null && typeof(c) == 'function' && c.prototype instanceof this;
		},
		prototype: {
			varargs: function(args, offset) {
				return Array.prototype.slice.call(arguments, 2).concat(Array.prototype.slice.call(args, offset));
			},
			/* As luci.js: walk up from the parent of the current context to the first class defining key. */
			super: function(key, callArgs) {
				for (superContext = Object.getPrototypeOf(superContext || Object.getPrototypeOf(this));
				     superContext && !superContext.hasOwnProperty(key);
				     superContext = Object.getPrototypeOf(superContext)) {}
				if (!superContext)
					return null;
				var res = superContext[key];
				if (arguments.length > 1) {
					if (typeof(res) != 'function')
						throw new ReferenceError(key + ' is not a function in base class');
					if (typeof(callArgs) != 'object')
						callArgs = this.varargs(arguments, 1);
					res = res.apply(this, callArgs);
				}
				superContext = null;
				return res;
			}
		}
	});

	var dom = {
		elem: function(e) { return e != null && typeof(e) == 'object' && 'nodeType' in e; },
		parse: function(s) { return new DOMParser().parseFromString(s, 'text/html').body.firstChild; },
		append: function(node, children) {
			if (!this.elem(node))
				return null;
			if (Array.isArray(children)) {
				for (var i = 0; i < children.length; i++)
					if (this.elem(children[i]))
						node.appendChild(children[i]);
					else if (children !== null && children !== undefined)
						node.appendChild(document.createTextNode('' + children[i]));
				return node.lastChild;
			}
			else if (typeof(children) === 'function')
				return this.append(node, children(node));
			else if (this.elem(children))
				return node.appendChild(children);
			else if (children !== null && children !== undefined) {
				node.innerHTML = '' + children;
				return node.lastChild;
			}
			return null;
		},
		attr: function(node, key, val) {
			var attr = null;
			if (typeof(key) === 'object' && key !== null)
				attr = key;
			else if (typeof(key) === 'string')
				attr = {}, attr[key] = val;
			for (key in attr) {
				if (!attr.hasOwnProperty(key) || attr[key] == null)
					continue;
				switch (typeof(attr[key])) {
				case 'function': node.addEventListener(key, attr[key]); break;
				case 'object': node.setAttribute(key, JSON.stringify(attr[key])); break;
				default: node.setAttribute(key, attr[key]);
				}
			}
		},
		create: function() {
			var html = arguments[0],
			    attr = (arguments[1] instanceof Object && !Array.isArray(arguments[1])) ? arguments[1] : null,
			    data = attr ? arguments[2] : arguments[1],
			    elem;
			if (Array.isArray(html)) {
				elem = document.createDocumentFragment();
				for (var i = 0; i < html.length; i++)
					elem.appendChild(this.create(html[i]));
			}
			else if (this.elem(html))
				elem = html;
			else if (html.charCodeAt(0) === 60)
				elem = this.parse(html);
			else
				elem = document.createElement(html);
			if (!elem)
				return null;
			this.attr(elem, attr);
			this.append(elem, data);
			return elem;
		}
	};

	var classes = { baseclass: Class };
	var base = '/luci-static/resources';

	var L = {
		env: {},
		bind: function(fn, self) { return Function.prototype.bind.apply(fn, [ self ].concat(Array.prototype.slice.call(arguments, 2))); },
		resolveDefault: function(value, defvalue) { return Promise.resolve(value).catch(function() { return defvalue; }); },
		resource: function() { return base + '/' + Array.prototype.join.call(arguments, '/'); },
		isObject: function(v) { return v != null && typeof(v) == 'object'; },
		require: function(name, from) {
			from = from || [];
			if (classes[name] != null) {
				if (from.indexOf(name) >= 0)
					throw new Error('Circular dependency: ' + name + ' <- ' + from.join(' <- '));
				return Promise.resolve(classes[name]);
			}
			if (!/^modemflow\.|^view\./.test(name))
				return Promise.reject(new Error('harness: module "' + name + '" is not provided'));
			var url = base + '/' + name.replace(/\./g, '/') + '.js';
			classes[name] = fetch(url).then(function(res) {
				if (!res.ok)
					throw new Error('HTTP ' + res.status + ' loading ' + url);
				return res.text();
			}).then(function(source) {
				/* The directive prologue: 'use strict'; 'require x [as y]'; ... */
				var re = /^\s*(?:\/\*[\s\S]*?\*\/\s*|\/\/[^\n]*\n\s*)*(['"])(.*?)\1\s*;?/, rest = source, deps = [], args = '';
				for (var m; (m = re.exec(rest)) != null; rest = rest.slice(m[0].length)) {
					var r = /^require[ \t]+(\S+)(?:[ \t]+as[ \t]+([a-zA-Z_]\S*))?$/.exec(m[2]);
					if (r) {
						deps.push(L.require(r[1], [ name ].concat(from)));
						args += ', ' + (r[2] || r[1].replace(/[^a-zA-Z0-9_]/g, '_'));
					}
					else if (!/^use[ \t]+strict$/.test(m[2]))
						break;
				}
				return Promise.all(deps).then(function(instances) {
					var factory = eval('(function(window, document, L' + args + ') { ' + source + ' })\n//# sourceURL=' + url + '\n');
					var cls = factory.apply(factory, [ window, document, L ].concat(instances));
					if (!Class.isSubclass(cls))
						throw new TypeError('"' + name + '" factory yields invalid constructor');
					var inst = new cls();
					classes[name] = inst;
					return inst;
				});
			});
			return classes[name];
		}
	};

	window.L = L;
	window.E = function() { return dom.create.apply(dom, arguments); };
	window._ = function(s) { return s; };
	window.N_ = function(n, s, p) { return n == 1 ? s : p; };
	window.harness = {
		Class: Class,
		/* Registers a stand-in for a LuCI class a view requires. */
		provide: function(name, instance) { classes[name] = instance; },
		require: function(name) { return L.require(name); }
	};
})();
