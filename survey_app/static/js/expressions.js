// The expression language of form definitions in the browser: evaluates the AST that the server's parser
// (survey_app/forms_engine/expression_parser.py) produced, with the same rules: missing, "none" and N/A are null;
// arithmetic with null is null, comparisons with null are false, aggregates skip nulls, division by zero is
// null, round() is half-up. Numbers are floats here, compared with a small tolerance; the figure the server
// computes (exactly) at the next save is the one that is stored. Used by form.js for live calculations,
// conditions and rules.
(function (root) {
  "use strict";
  var AGGREGATES = { sum: true, mean: true, count: true, min: true, max: true };
  var ROW_ID = /^r[a-z0-9]{6}$/;

  function isNumber(v) { return typeof v === "number" && isFinite(v); }
  function truthy(v) {
    if (v === null || v === undefined || v === false) { return false; }
    if (typeof v === "string" || Array.isArray(v)) { return v.length > 0; }
    if (typeof v === "number") { return v !== 0; }
    return Boolean(v);
  }
  function asNumber(v) {
    if (isNumber(v)) { return v; }
    if (typeof v === "string" && /^\s*-?[0-9]+(\.[0-9]+)?\s*$/.test(v)) { return Number(v); }
    return null;
  }
  function close(a, b) { return Math.abs(a - b) <= 1e-9 * Math.max(1, Math.abs(a), Math.abs(b)); }
  function comparable(a, b) {
    if (Array.isArray(a) || Array.isArray(b)) { return null; }
    if (typeof a === "boolean" || typeof b === "boolean") {
      return typeof a === "boolean" && typeof b === "boolean" ? [a, b, "bool"] : null;
    }
    if (isNumber(a) || isNumber(b)) {
      var x = asNumber(a), y = asNumber(b);
      return x === null || y === null ? null : [x, y, "number"];
    }
    return typeof a === "string" && typeof b === "string" ? [a, b, "text"] : null;
  }
  function compare(op, left, right) {
    if (left === null || left === undefined || right === null || right === undefined) { return false; }
    var pair = comparable(left, right);
    if (!pair) { return op === "!="; }
    var a = pair[0], b = pair[1], num = pair[2] === "number";
    var equal = num ? close(a, b) : a === b;
    if (op === "=") { return equal; }
    if (op === "!=") { return !equal; }
    if (pair[2] === "bool") { return false; }
    if (op === "<") { return !equal && a < b; }
    if (op === "<=") { return equal || a < b; }
    if (op === ">") { return !equal && a > b; }
    return equal || a > b;
  }
  // Half-up (away from zero) on the decimal digits as written: 1.005 → 1.01, -2.5 → -3.
  function roundHalfUp(v, digits) {
    if (!isNumber(v)) { return null; }
    var d = digits || 0;
    var shifted = Number(Math.abs(v) + "e" + d);
    if (!isFinite(shifted)) { shifted = Math.abs(v) * Math.pow(10, d); }
    var r = Number(Math.round(shifted) + "e-" + d);
    return v < 0 ? -r : r;
  }
  function arithmetic(op, values) {
    for (var i = 0; i < values.length; i++) { if (!isNumber(values[i])) { return null; } }
    var result = values[0];
    for (var j = 1; j < values.length; j++) {
      var v = values[j];
      if (op === "+") { result += v; } else if (op === "-") { result -= v; } else if (op === "*") { result *= v; }
      else if (v === 0) { return null; } else { result /= v; }
    }
    return result;
  }
  function text(v) { return v === null || v === undefined ? null : String(v); }

  function ev(node, scope) {
    var op = node[0];
    switch (op) {
      case "num": return Number(node[1]);
      case "str": return node[1];
      case "null": return null;
      case "name": return scope.value(node[1]);
      case "self": return scope.value(".");
      case "neg": var x = ev(node[1], scope); return isNumber(x) ? -x : null;
      case "not": return !truthy(ev(node[1], scope));
      case "and": return node.slice(1).every(function (n) { return truthy(ev(n, scope)); });
      case "or": return node.slice(1).some(function (n) { return truthy(ev(n, scope)); });
      case "=": case "!=": case "<": case "<=": case ">": case ">=":
        return compare(op, ev(node[1], scope), ev(node[2], scope));
      case "call": return call(node[1], node.slice(2), scope);
      default: return arithmetic(op, node.slice(1).map(function (n) { return ev(n, scope); }));
    }
  }

  function aggregate(name, args, scope) {
    var first = args[0];
    var rows = first[0] === "name" ? scope.rows(first[1]) : null;
    var values = [];
    if (rows && args.length === 1 && name === "count") { return rows.length; }
    if (rows && args.length === 2) {
      values = rows.map(function (row) { return ev(args[1], row); });
    } else {
      args.forEach(function (arg) {
        if (arg[0] === "col") {
          (scope.rows(arg[1]) || []).forEach(function (row) { values.push(row.value(arg[2])); });
        } else { values.push(ev(arg, scope)); }
      });
    }
    if (name === "count") { return values.filter(function (v) { return v !== null && v !== undefined && v !== false; }).length; }
    var numbers = values.filter(isNumber);
    var total = numbers.reduce(function (a, b) { return a + b; }, 0);
    if (name === "sum") { return total; }
    if (!numbers.length) { return null; }
    if (name === "mean") { return total / numbers.length; }
    return name === "min" ? Math.min.apply(null, numbers) : Math.max.apply(null, numbers);
  }

  function call(name, args, scope) {
    if (AGGREGATES[name]) { return aggregate(name, args, scope); }
    if (name === "if") { return ev(truthy(ev(args[0], scope)) ? args[1] : args[2], scope); }
    if (name === "coalesce") {
      for (var i = 0; i < args.length; i++) { var v = ev(args[i], scope); if (v !== null && v !== undefined) { return v; } }
      return null;
    }
    if (name === "round") { return roundHalfUp(ev(args[0], scope), args.length > 1 ? Number(args[1][1]) : 0); }
    var key = args[0][0] === "self" ? "." : args[0][1];
    var state = scope.state(key);
    if (name === "answered") { return state !== null && state !== undefined; }
    if (name === "is_none") { return state === "none"; }
    if (name === "is_na") { return state === "na"; }
    var value = scope.value(key);
    if (name === "count_selected") {
      return Array.isArray(value) ? value.length : (value !== null && value !== undefined && value !== "" ? 1 : 0);
    }
    var wanted = text(ev(args[1], scope));
    if (Array.isArray(value)) { return value.indexOf(wanted) >= 0; }
    return value !== null && value !== undefined && text(value) === wanted;
  }

  // The keys an expression reads (question keys and repeat groups), as the server's references().
  function references(node, out) {
    out = out || [];
    if (!Array.isArray(node)) { return out; }
    if (node[0] === "name" || node[0] === "col") { if (out.indexOf(node[1]) < 0) { out.push(node[1]); } return out; }
    if (node[0] === "num" || node[0] === "str" || node[0] === "null") { return out; }
    node.slice(node[0] === "call" ? 2 : 1).forEach(function (child) { references(child, out); });
    return out;
  }

  // A scope over stored answers {key: [state, value]} (the server's AnswersScope without a definition):
  // inside a row a bare name is the row's own field when the row has it; a group is known by its rows.
  function storedScope(answers, row, self) {
    function answer(name) {
      if (name === ".") { name = self || ""; }
      if (row) {
        var key = row[0] + "-" + row[1] + "-" + name;
        if (Object.prototype.hasOwnProperty.call(answers, key)) { return answers[key]; }
      }
      return Object.prototype.hasOwnProperty.call(answers, name) ? answers[name] : null;
    }
    return {
      value: function (name) {
        var a = answer(name);
        if (!a || a[0] !== "value") { return null; }
        var v = a[1];
        if (v && typeof v === "object" && !Array.isArray(v) && "value" in v && "other" in v) { return v.value; }
        return typeof v === "number" || typeof v === "string" || typeof v === "boolean" || Array.isArray(v) ? v : null;
      },
      state: function (name) { var a = answer(name); return a ? a[0] : null; },
      rows: function (group) {
        var a = answers[group];
        if (!a || a[0] !== "value" || !Array.isArray(a[1])) { return null; }
        var ids = a[1].filter(function (id) { return typeof id === "string" && ROW_ID.test(id); });
        return ids.length ? ids.map(function (id) { return storedScope(answers, [group, id], self); }) : null;
      }
    };
  }

  root.SurveyExpr = {
    evaluate: function (ast, scope) { return ev(ast, scope); },
    truthy: truthy,
    roundHalfUp: roundHalfUp,
    references: function (ast) { return references(ast); },
    storedScope: storedScope,
    ROW_ID: ROW_ID
  };
})(window);
