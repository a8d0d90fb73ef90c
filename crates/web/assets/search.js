// Vitrina: results as you type in the header's search box.
//
// Progressive enhancement: without this script the box is a plain GET form to /search. With
// it, the box becomes an ARIA combobox (the 1.2 pattern): a debounced request to
// /api/v1/search?as_you_type=1 fills a listbox of links under the box; ArrowDown/ArrowUp move
// through it, Enter opens the chosen badge (or submits the search when none is chosen),
// Escape closes the list (a second Escape clears the box). A polite live region says how many
// results there are. Everything comes from this site (CSP: script-src 'self'), text is set
// with textContent only, and the strings are the page's own, from data-* attributes.
(function () {
  "use strict";
  var form = document.querySelector("form.site-search[data-api]");
  if (!form || !window.fetch || !window.AbortController) return;
  var input = form.querySelector("input[name=q]");
  if (!input) return;
  var d = form.dataset;
  var lang = d.lang === "ru" ? "ru" : "en";
  var otherLang = lang === "ru" ? "en" : "ru";
  var MIN_CHARS = 2;
  var DELAY = 160;

  var list = document.createElement("ul");
  list.id = "site-search-listbox";
  list.className = "site-search__list";
  list.setAttribute("role", "listbox");
  list.setAttribute("aria-label", d.listLabel || "");
  list.hidden = true;
  var status = document.createElement("div");
  status.className = "visually-hidden";
  status.setAttribute("role", "status");
  status.setAttribute("aria-live", "polite");
  form.appendChild(list);
  form.appendChild(status);
  form.classList.add("site-search--enhanced");

  input.setAttribute("role", "combobox");
  input.setAttribute("aria-autocomplete", "list");
  input.setAttribute("aria-expanded", "false");
  input.setAttribute("aria-controls", list.id);

  var timer = 0;
  var pending = null;
  var active = -1;
  var shownFor = null;

  function pluralRu(n) {
    var d10 = n % 10, d100 = n % 100;
    if (d10 === 1 && d100 !== 11) return "one";
    if (d10 >= 2 && d10 <= 4 && (d100 < 12 || d100 > 14)) return "few";
    return "many";
  }
  function countText(n) {
    if (n === 0) return d.noResults || "0";
    var key = lang === "ru" ? pluralRu(n) : (n === 1 ? "one" : "many");
    var word = { one: d.resultsOne, few: d.resultsFew, many: d.resultsMany }[key] || "";
    return n + " " + word;
  }
  function options() {
    return list.querySelectorAll("[role=option]");
  }
  function open() {
    if (!options().length) return;
    list.hidden = false;
    input.setAttribute("aria-expanded", "true");
  }
  function close() {
    list.hidden = true;
    input.setAttribute("aria-expanded", "false");
    select(-1);
  }
  function select(i) {
    var opts = options();
    active = i;
    for (var k = 0; k < opts.length; k++) {
      opts[k].setAttribute("aria-selected", k === i ? "true" : "false");
    }
    if (i >= 0 && opts[i]) {
      input.setAttribute("aria-activedescendant", opts[i].id);
      if (opts[i].scrollIntoView) opts[i].scrollIntoView({ block: "nearest" });
    } else {
      input.removeAttribute("aria-activedescendant");
    }
  }
  function option(i, href, cls) {
    var li = document.createElement("li");
    li.setAttribute("role", "presentation");
    var a = document.createElement("a");
    a.id = "site-search-option-" + i;
    a.className = "site-search__option" + (cls ? " " + cls : "");
    a.setAttribute("role", "option");
    a.setAttribute("aria-selected", "false");
    a.tabIndex = -1;
    a.href = href;
    li.appendChild(a);
    list.appendChild(li);
    return a;
  }
  function span(cls, text, spanLang) {
    var s = document.createElement("span");
    s.className = cls;
    s.textContent = text;
    if (spanLang) s.lang = spanLang;
    return s;
  }
  function show(data, q) {
    list.textContent = "";
    active = -1;
    var hits = data.hits || [];
    for (var i = 0; i < hits.length; i++) {
      var h = hits[i];
      var name = (h.names && (h.names[lang] || h.names.en)) || h.slug;
      var alt = h.names && h.names[otherLang];
      var a = option(i, h.url);
      a.appendChild(span("site-search__name", name));
      if (alt && alt !== name) a.appendChild(span("site-search__alt", alt, otherLang));
    }
    if (data.total > hits.length) {
      var all = option(hits.length, form.action + "?q=" + encodeURIComponent(q), "site-search__option--all");
      all.textContent = (d.allResults || "{q}").replace("{q}", q);
    }
    shownFor = q;
    status.textContent = countText(data.total || 0);
    if (hits.length) open(); else close();
  }
  function search() {
    var q = input.value;
    if (q.trim().length < MIN_CHARS) {
      if (pending) pending.abort();
      list.textContent = "";
      status.textContent = "";
      shownFor = null;
      close();
      return;
    }
    if (q === shownFor) {
      open();
      return;
    }
    if (pending) pending.abort();
    var ctrl = new AbortController();
    pending = ctrl;
    var url = d.api + "?as_you_type=1&per_page=6&lang=" + lang + "&q=" + encodeURIComponent(q);
    fetch(url, { signal: ctrl.signal, headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (pending !== ctrl) return;
        pending = null;
        if (data && input.value === q) show(data, q);
        else if (!data) close();
      })
      .catch(function () { /* aborted or offline: the form still works */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(search, DELAY);
  });
  input.addEventListener("focus", function () {
    if (input.value === shownFor) open();
  });
  input.addEventListener("keydown", function (e) {
    var opts = options();
    if (e.key === "ArrowDown" || e.key === "Down") {
      if (!opts.length) return;
      e.preventDefault();
      if (list.hidden) open();
      select(active + 1 >= opts.length ? 0 : active + 1);
    } else if (e.key === "ArrowUp" || e.key === "Up") {
      if (!opts.length) return;
      e.preventDefault();
      if (list.hidden) open();
      select(active <= 0 ? opts.length - 1 : active - 1);
    } else if (e.key === "Enter") {
      if (!list.hidden && active >= 0 && opts[active]) {
        e.preventDefault();
        window.location.assign(opts[active].href);
      }
    } else if (e.key === "Escape" || e.key === "Esc") {
      if (!list.hidden) {
        e.preventDefault();
        close();
      } else if (input.value) {
        e.preventDefault();
        input.value = "";
        shownFor = null;
        list.textContent = "";
        status.textContent = "";
      }
    } else if (e.key === "Tab") {
      close();
    }
  });
  // A click on an option must not blur the box first (which would close the list).
  list.addEventListener("mousedown", function (e) { e.preventDefault(); });
  document.addEventListener("click", function (e) {
    if (!form.contains(e.target)) close();
  });
})();
