// portcullis HTML report: tabs (the URL fragment selects the view), image
// selector, sortable and filterable tables. The document is complete
// without it: every view is in the page, one after the other.
(function () {
  'use strict';
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };
  document.documentElement.classList.add('js');

  var views = Array.prototype.slice.call(document.querySelectorAll('section.view'));
  var tabs = document.querySelectorAll('nav.tabs a[data-view]');
  function show() {
    var id = decodeURIComponent(location.hash.slice(1));
    var view = views.filter(function (v) {
      return id === v.id || id.indexOf(v.id + '-') === 0;
    })[0] || views[0];
    if (!view) { return; }
    each(views, function (v) { v.classList.toggle('active', v === view); });
    each(tabs, function (t) {
      var on = t.getAttribute('data-view') === view.id;
      t.classList.toggle('active', on);
      if (on) { t.setAttribute('aria-current', 'page'); } else { t.removeAttribute('aria-current'); }
    });
    var target = id && id !== view.id ? document.getElementById(id) : null;
    if (target) { target.scrollIntoView(); } else { window.scrollTo(0, 0); }
  }
  window.addEventListener('hashchange', show);
  // The browser scrolls to the fragment's section on load; a tab starts at
  // the top of the page instead.
  window.addEventListener('load', function () { window.setTimeout(show, 0); });
  show();

  var select = document.getElementById('image-select');
  if (select) {
    select.addEventListener('change', function () {
      each(document.querySelectorAll('.image-block'), function (block) {
        block.hidden = select.value !== '' && block.getAttribute('data-image') !== select.value;
      });
    });
  }

  function key(cell) {
    var v = cell.getAttribute('data-v');
    return v !== null ? v : cell.textContent.trim();
  }
  each(document.querySelectorAll('table.sortable'), function (table) {
    var heads = table.tHead.rows[0].cells;
    each(heads, function (th, col) {
      var kind = th.getAttribute('data-sort');
      if (!kind) { return; }
      th.tabIndex = 0;
      th.classList.add('sort');
      th.title = 'Sort';
      function sort() {
        var current = th.getAttribute('aria-sort');
        var dir = current ? (current === 'ascending' ? -1 : 1) : (kind === 'num' ? -1 : 1);
        each(heads, function (h) { h.removeAttribute('aria-sort'); });
        th.setAttribute('aria-sort', dir === 1 ? 'ascending' : 'descending');
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows).map(function (r, i) {
          return { row: r, i: i, k: key(r.cells[col]) };
        });
        rows.sort(function (a, b) {
          var c = kind === 'num'
            ? parseFloat(a.k) - parseFloat(b.k)
            : a.k.localeCompare(b.k, undefined, { numeric: true, sensitivity: 'base' });
          return c * dir || a.i - b.i;
        });
        each(rows, function (r) { body.appendChild(r.row); });
      }
      th.addEventListener('click', sort);
      th.addEventListener('keydown', function (e) {
        if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); }
      });
    });
  });

  each(document.querySelectorAll('.toolbar[data-for]'), function (bar) {
    var table = document.getElementById(bar.getAttribute('data-for'));
    if (!table) { return; }
    var controls = bar.querySelectorAll('[data-filter]');
    var shown = bar.querySelector('.shown');
    function apply() {
      var text = '';
      var want = {};
      each(controls, function (c) {
        var k = c.getAttribute('data-filter');
        if (k === 'text') { text = c.value.trim().toLowerCase(); }
        else if (c.type === 'checkbox') { if (c.checked) { want[k] = 'true'; } }
        else if (c.value) { want[k] = c.value; }
      });
      var rows = table.tBodies[0].rows;
      var n = 0;
      each(rows, function (r) {
        var ok = !text || r.textContent.toLowerCase().indexOf(text) >= 0;
        Object.keys(want).forEach(function (k) {
          if (r.getAttribute('data-' + k) !== want[k]) { ok = false; }
        });
        r.hidden = !ok;
        if (ok) { n += 1; }
      });
      if (shown) { shown.textContent = n + ' of ' + rows.length + ' shown'; }
    }
    each(controls, function (c) {
      c.addEventListener('input', apply);
      c.addEventListener('change', apply);
    });
    apply();
  });
}());
