// Vitrina: the photo viewer of a badge type's page.
//
// Progressive enhancement: without this script every image of the gallery is a link to its
// own page (the large size with its caption) and the page is complete. With it, a link opens a modal <dialog> (focus moves in,
// stays in, and goes back to the link when it closes) that shows the large size, zoomed and
// moved with the mouse (drag, wheel, double-click), the fingers (drag, pinch, double-tap:
// Pointer Events, touch-action: none on the image) or the keyboard (+ − 0, the arrows); flips
// a badge to its other side (F, when the page pairs an obverse with a reverse); compares two
// images side by side (C; stacked on a narrow screen); and steps through the type's images.
//
// Everything comes from the page: the strings (data-label-* on the gallery, in the page's
// language), each image's place, name and other side (data-index, data-label, data-pair on
// its link), its large size (data-large; data-large-webp when the browser took WebP on
// the page). Text is set with textContent only; styles are set through the CSSOM, which the
// site's CSP (style-src 'self') allows, never as style attributes in markup.
(function () {
  "use strict";
  var gallery = document.querySelector("[data-viewer]");
  if (!gallery || typeof HTMLDialogElement !== "function" || !window.PointerEvent) return;
  var d = gallery.dataset;
  var links = gallery.querySelectorAll("a.figure__zoom[data-index]");
  if (!links.length) return;

  var MAX_SCALE = 8;
  var STEP = 1.5;
  var reduced = window.matchMedia ? window.matchMedia("(prefers-reduced-motion: reduce)") : null;
  var webp = (function () {
    try {
      var c = document.createElement("canvas");
      c.width = c.height = 1;
      return c.toDataURL("image/webp").indexOf("data:image/webp") === 0;
    } catch (e) {
      return false;
    }
  })();

  function text(root, css) {
    var e = root && root.querySelector(css);
    return e ? e.textContent.trim() : "";
  }
  function el(tag, cls, attrs) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }
  function button(cls, label, hint, shortcut) {
    var b = el("button", "viewer__button " + cls, { type: "button" });
    if (shortcut) b.setAttribute("aria-keyshortcuts", shortcut);
    b.textContent = label;
    if (hint) {
      b.setAttribute("aria-label", hint);
      b.title = hint;
    }
    return b;
  }
  function clamp(v, lo, hi) {
    return Math.max(lo, Math.min(hi, v));
  }

  // The images, in the page's order.
  var photos = [];
  Array.prototype.forEach.call(links, function (a) {
    var i = Number(a.dataset.index);
    var img = a.querySelector("img");
    var fig = a.closest("figure");
    photos[i] = {
      index: i,
      pair: a.dataset.pair != null ? Number(a.dataset.pair) : null,
      label: a.dataset.label || "",
      jpeg: a.dataset.large || a.getAttribute("href"),
      webp: a.dataset.largeWebp || null,
      page: img,
      alt: img ? img.alt : "",
      width: img ? Number(img.getAttribute("width")) || 0 : 0,
      height: img ? Number(img.getAttribute("height")) || 0 : 0,
      illustration: text(fig, ".label--illustration"),
      note: [text(fig, ".figure__caption"), text(fig, ".figure__credit")].filter(Boolean).join(" · "),
    };
    a.setAttribute("aria-haspopup", "dialog");
    a.addEventListener("click", function (e) {
      // A modified click still opens the file in a new tab or window.
      if (e.button !== 0 || e.ctrlKey || e.metaKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      open(i, a);
    });
  });
  photos = photos.filter(Boolean);
  photos.forEach(function (p, k) {
    p.index = k;
  });
  var count = photos.length;

  function largeUrl(p) {
    return p.webp && webp ? p.webp : p.jpeg;
  }

  // ---- the dialog ----
  var dialog = el("dialog", "viewer", { "aria-labelledby": "viewer-title", "aria-describedby": "viewer-keys" });
  var bar = el("div", "viewer__bar");
  var heading = el("h2", "viewer__title", { id: "viewer-title" });
  var headName = el("span", "viewer__name");
  headName.textContent = d.title || "";
  var headLabel = el("span", "viewer__label");
  heading.appendChild(headName);
  heading.appendChild(headLabel);
  var counter = el("p", "viewer__count");
  var tools = el("div", "viewer__tools");
  var zoomOut = button("viewer__button--icon", "−", d.labelZoomOut, "-");
  var zoomLevel = el("output", "viewer__zoom", { "aria-label": d.labelZoom || "" });
  var zoomIn = button("viewer__button--icon", "+", d.labelZoomIn, "+");
  var fit = button("viewer__button--fit", d.labelFit || "0", d.labelFitHint, "0");
  var flip = button("viewer__button--flip", d.labelFlip || "F", d.labelFlipHint, "F");
  var compare = button("viewer__button--compare", d.labelCompare || "C", d.labelCompareHint, "C");
  compare.setAttribute("aria-pressed", "false");
  var close = button("viewer__close", d.labelClose || "×", d.labelCloseHint, "Escape");
  [zoomOut, zoomLevel, zoomIn, fit, flip, compare].forEach(function (e) {
    tools.appendChild(e);
  });
  bar.appendChild(heading);
  bar.appendChild(counter);
  bar.appendChild(tools);
  bar.appendChild(close);

  var stage = el("div", "viewer__stage");
  var prev = button("viewer__nav viewer__nav--prev", "‹", d.labelPrevious, "PageUp");
  var next = button("viewer__nav viewer__nav--next", "›", d.labelNext, "PageDown");
  var keys = el("p", "viewer__keys", { id: "viewer-keys" });
  keys.textContent = d.labelKeys || "";
  var status = el("div", "visually-hidden", { role: "status", "aria-live": "polite" });

  var panes = [makePane(0, d.labelFirst), makePane(1, d.labelSecond)];
  stage.appendChild(panes[0].root);
  stage.appendChild(panes[1].root);
  stage.appendChild(prev);
  stage.appendChild(next);
  dialog.appendChild(bar);
  dialog.appendChild(stage);
  dialog.appendChild(keys);
  dialog.appendChild(status);
  document.body.appendChild(dialog);

  var active = 0;
  var comparing = false;
  var opener = null;

  function makePane(n, chooseLabel) {
    var root = el("div", "viewer__pane");
    var choose = el("label", "viewer__choose");
    var chooseText = el("span", "viewer__choose-label");
    chooseText.textContent = chooseLabel || "";
    var select = el("select", "viewer__select");
    photos.forEach(function (p) {
      var o = el("option", "", { value: String(p.index) });
      o.textContent = p.label;
      select.appendChild(o);
    });
    choose.appendChild(chooseText);
    choose.appendChild(select);
    var view = el("div", "viewer__view", { tabindex: "0", role: "group", "aria-label": d.labelImage || "" });
    var card = el("div", "viewer__card");
    var img = el("img", "viewer__img", { draggable: "false", decoding: "async" });
    card.appendChild(img);
    view.appendChild(card);
    var note = el("p", "viewer__note");
    var flag = el("span", "label label--illustration viewer__flag");
    var noteText = el("span", "");
    note.appendChild(flag);
    note.appendChild(noteText);
    root.appendChild(choose);
    root.appendChild(view);
    root.appendChild(note);
    var pane = {
      n: n,
      root: root,
      choose: choose,
      select: select,
      view: view,
      card: card,
      img: img,
      note: note,
      flag: flag,
      noteText: noteText,
      index: 0,
      s: 1,
      x: 0,
      y: 0,
      fw: 0,
      fh: 0,
      w: 0,
      h: 0,
      ratio: 1,
    };
    select.addEventListener("change", function () {
      active = n;
      show(pane, Number(select.value));
      announce(pane);
    });
    img.addEventListener("load", function () {
      if (img.naturalWidth && img.naturalHeight) {
        pane.ratio = img.naturalWidth / img.naturalHeight;
        layout(pane);
      }
    });
    view.addEventListener("focus", function () {
      setActive(n);
    });
    gestures(pane);
    return pane;
  }

  // ---- showing, fitting, zooming ----
  function show(pane, i) {
    var p = photos[i];
    pane.index = i;
    pane.select.value = String(i);
    pane.s = 1;
    pane.x = pane.y = 0;
    pane.ratio = p.width && p.height ? p.width / p.height : 1;
    pane.img.alt = p.alt;
    var large = largeUrl(p);
    // What the page already shows appears at once; the large size replaces it when it arrives.
    var quick = p.page && p.page.complete ? p.page.currentSrc : "";
    if (quick && quick !== new URL(large, document.baseURI).href) {
      pane.img.src = quick;
      var pre = new Image();
      pre.onload = function () {
        if (pane.index === i) pane.img.src = large;
      };
      pre.src = large;
    } else {
      pane.img.src = large;
    }
    // An illustration stays labelled as one, as on the page.
    pane.flag.textContent = p.illustration;
    pane.flag.hidden = !p.illustration;
    pane.noteText.textContent = p.note;
    layout(pane);
    update();
  }

  function layout(pane) {
    var r = pane.view.getBoundingClientRect();
    pane.w = r.width;
    pane.h = r.height;
    if (!pane.w || !pane.h) return;
    var room = 0.94;
    var fw = Math.min(pane.w * room, pane.h * room * pane.ratio);
    pane.fw = fw;
    pane.fh = fw / pane.ratio;
    pane.img.style.width = pane.fw + "px";
    pane.img.style.height = pane.fh + "px";
    pan(pane, 0, 0);
    apply(pane, false);
  }

  function pan(pane, dx, dy) {
    var mx = Math.max(0, (pane.fw * pane.s - pane.w) / 2);
    var my = Math.max(0, (pane.fh * pane.s - pane.h) / 2);
    pane.x = clamp(pane.x + dx, -mx, mx);
    pane.y = clamp(pane.y + dy, -my, my);
  }

  function apply(pane, smooth) {
    pane.view.classList.toggle("is-smooth", !!smooth);
    pane.view.classList.toggle("is-zoomed", pane.s > 1.001);
    var left = (pane.w - pane.fw) / 2 + pane.x;
    var top = (pane.h - pane.fh) / 2 + pane.y;
    pane.img.style.transform =
      "translate(" + left.toFixed(1) + "px, " + top.toFixed(1) + "px) scale(" + pane.s.toFixed(4) + ")";
    if (pane.n === active) zoomLevel.textContent = Math.round(pane.s * 100) + "%";
  }

  // Zooms to `s` keeping the point (cx, cy), relative to the view's centre, where it is.
  function zoomTo(pane, s, cx, cy, smooth) {
    s = clamp(s, 1, MAX_SCALE);
    var k = s / pane.s;
    pane.x = cx - (cx - pane.x) * k;
    pane.y = cy - (cy - pane.y) * k;
    pane.s = s;
    pan(pane, 0, 0);
    apply(pane, smooth);
  }

  function toggleZoom(pane, cx, cy) {
    if (pane.s > 1.001) zoomTo(pane, 1, 0, 0, true);
    else zoomTo(pane, 2.5, cx, cy, true);
  }

  function point(pane, e) {
    var r = pane.view.getBoundingClientRect();
    return { x: e.clientX - r.left - r.width / 2, y: e.clientY - r.top - r.height / 2 };
  }

  // ---- the mouse and the fingers ----
  function gestures(pane) {
    var view = pane.view;
    var pts = new Map();
    var pinch = null;
    var swipe = null;
    var lastTap = null;

    view.addEventListener("pointerdown", function (e) {
      if (e.pointerType === "mouse" && e.button !== 0) return;
      setActive(pane.n);
      view.setPointerCapture(e.pointerId);
      pts.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (pts.size === 2) {
        var a = Array.from(pts.values());
        pinch = {
          dist: Math.hypot(a[0].x - a[1].x, a[0].y - a[1].y) || 1,
          s: pane.s,
          mid: point(pane, { clientX: (a[0].x + a[1].x) / 2, clientY: (a[0].y + a[1].y) / 2 }),
        };
        swipe = null;
      } else if (pts.size === 1) {
        swipe = { x: e.clientX, y: e.clientY, t: e.timeStamp };
      }
    });
    view.addEventListener("pointermove", function (e) {
      var last = pts.get(e.pointerId);
      if (!last) return;
      var dx = e.clientX - last.x;
      var dy = e.clientY - last.y;
      pts.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (pinch && pts.size >= 2) {
        var a = Array.from(pts.values());
        var dist = Math.hypot(a[0].x - a[1].x, a[0].y - a[1].y) || 1;
        var mid = point(pane, { clientX: (a[0].x + a[1].x) / 2, clientY: (a[0].y + a[1].y) / 2 });
        // Move with the fingers' midpoint, then scale about it.
        pane.x += mid.x - pinch.mid.x;
        pane.y += mid.y - pinch.mid.y;
        pinch.mid = mid;
        zoomTo(pane, pinch.s * (dist / pinch.dist), mid.x, mid.y, false);
      } else if (pts.size === 1 && pane.s > 1.001) {
        pan(pane, dx, dy);
        apply(pane, false);
      }
    });
    function end(e) {
      if (!pts.has(e.pointerId)) return;
      pts.delete(e.pointerId);
      if (pts.size < 2) pinch = null;
      if (e.type !== "pointerup" || pts.size > 0 || !swipe) return;
      var dx = e.clientX - swipe.x;
      var dy = e.clientY - swipe.y;
      var moved = Math.hypot(dx, dy);
      if (pane.s <= 1.001 && Math.abs(dx) > 60 && Math.abs(dx) > 1.5 * Math.abs(dy)) {
        go(dx < 0 ? 1 : -1);
        lastTap = null;
      } else if (e.pointerType !== "mouse" && moved < 10) {
        // Double tap (a mouse has dblclick).
        if (lastTap && e.timeStamp - lastTap.t < 350 && Math.hypot(e.clientX - lastTap.x, e.clientY - lastTap.y) < 30) {
          var p = point(pane, e);
          toggleZoom(pane, p.x, p.y);
          lastTap = null;
        } else {
          lastTap = { x: e.clientX, y: e.clientY, t: e.timeStamp };
        }
      }
      swipe = null;
    }
    view.addEventListener("pointerup", end);
    view.addEventListener("pointercancel", end);
    view.addEventListener("dblclick", function (e) {
      var p = point(pane, e);
      toggleZoom(pane, p.x, p.y);
    });
    view.addEventListener(
      "wheel",
      function (e) {
        e.preventDefault();
        setActive(pane.n);
        var delta = e.deltaY * (e.deltaMode === 1 ? 33 : e.deltaMode === 2 ? 400 : 1);
        var p = point(pane, e);
        zoomTo(pane, pane.s * Math.exp(-delta * 0.002), p.x, p.y, false);
      },
      { passive: false }
    );
  }

  // ---- what the controls do ----
  function setActive(n) {
    if (!comparing) n = 0;
    active = n;
    panes.forEach(function (p) {
      p.root.classList.toggle("is-active", comparing && p.n === n);
    });
    update();
  }

  function go(delta) {
    var pane = panes[active];
    show(pane, (pane.index + delta + count) % count);
    announce(pane);
  }

  function turnOver() {
    var pane = panes[active];
    var pair = photos[pane.index].pair;
    if (pair == null) return;
    if (!(reduced && reduced.matches)) {
      pane.card.classList.remove("is-flipping");
      void pane.card.offsetWidth; // restart the animation
      pane.card.classList.add("is-flipping");
    }
    show(pane, pair);
    announce(pane);
  }

  function setCompare(on) {
    comparing = !!on && count > 1;
    dialog.classList.toggle("is-comparing", comparing);
    panes[1].root.hidden = !comparing;
    panes.forEach(function (p) {
      p.choose.hidden = !comparing;
    });
    compare.setAttribute("aria-pressed", comparing ? "true" : "false");
    if (comparing) {
      var first = photos[panes[0].index];
      var other = first.pair != null ? first.pair : (first.index + 1) % count;
      show(panes[1], other);
    }
    layout(panes[0]);
    if (comparing) layout(panes[1]);
    setActive(comparing ? active : 0);
  }

  function announce(pane) {
    status.textContent = photos[pane.index].label + " — " + countText(pane.index);
  }

  function countText(i) {
    return (d.labelOf || "{n} / {total}").replace("{n}", String(i + 1)).replace("{total}", String(count));
  }

  function update() {
    var pane = panes[active];
    var p = photos[pane.index];
    // When comparing, each image's chooser names it.
    headLabel.textContent = comparing ? "" : p.label;
    counter.textContent = countText(pane.index);
    flip.hidden = p.pair == null;
    compare.hidden = count < 2;
    prev.hidden = next.hidden = count < 2 || comparing;
    zoomLevel.textContent = Math.round(pane.s * 100) + "%";
    zoomOut.disabled = pane.s <= 1.001;
    zoomIn.disabled = pane.s >= MAX_SCALE - 0.001;
  }

  function zoomBy(f) {
    var pane = panes[active];
    zoomTo(pane, pane.s * f, 0, 0, true);
    update();
  }

  zoomIn.addEventListener("click", function () {
    zoomBy(STEP);
  });
  zoomOut.addEventListener("click", function () {
    zoomBy(1 / STEP);
  });
  fit.addEventListener("click", function () {
    zoomBy(0);
  });
  flip.addEventListener("click", turnOver);
  compare.addEventListener("click", function () {
    setCompare(!comparing);
  });
  close.addEventListener("click", function () {
    dialog.close();
  });
  prev.addEventListener("click", function () {
    go(-1);
  });
  next.addEventListener("click", function () {
    go(1);
  });

  function focusables() {
    return Array.prototype.filter.call(
      dialog.querySelectorAll("button, select, [tabindex='0']"),
      function (e) {
        return !e.disabled && e.getClientRects().length > 0;
      }
    );
  }

  dialog.addEventListener("keydown", function (e) {
    if (e.ctrlKey || e.metaKey || e.altKey) return;
    if (e.key === "Tab") {
      // showModal makes the page inert; this also keeps Tab from leaving for the browser's UI.
      var f = focusables();
      if (!f.length) return;
      var first = f[0];
      var last = f[f.length - 1];
      if (e.shiftKey && document.activeElement === first) {
        e.preventDefault();
        last.focus();
      } else if (!e.shiftKey && document.activeElement === last) {
        e.preventDefault();
        first.focus();
      }
      return;
    }
    // A list box keeps its own keys.
    if (e.target && e.target.tagName === "SELECT") return;
    var pane = panes[active];
    var step = Math.max(40, Math.min(pane.w, pane.h) * 0.15);
    var handled = true;
    switch (e.key) {
      case "+":
      case "=":
        zoomBy(STEP);
        break;
      case "-":
      case "_":
      case "−":
        zoomBy(1 / STEP);
        break;
      case "0":
        zoomBy(0);
        break;
      case "ArrowLeft":
      case "ArrowRight":
      case "ArrowUp":
      case "ArrowDown":
        if (pane.s > 1.001) {
          var dx = e.key === "ArrowLeft" ? step : e.key === "ArrowRight" ? -step : 0;
          var dy = e.key === "ArrowUp" ? step : e.key === "ArrowDown" ? -step : 0;
          pan(pane, dx, dy);
          apply(pane, true);
        } else if (e.key === "ArrowLeft" || e.key === "ArrowRight") {
          if (count > 1) go(e.key === "ArrowLeft" ? -1 : 1);
        } else {
          handled = false;
        }
        break;
      case "PageUp":
      case "PageDown":
        if (count > 1) go(e.key === "PageUp" ? -1 : 1);
        break;
      case "f":
      case "F":
      case "а": // the same key on a Russian layout
      case "А":
        turnOver();
        break;
      case "c":
      case "C":
      case "с": // Russian С sits on the C key
      case "С":
        setCompare(!comparing);
        break;
      default:
        handled = false;
    }
    if (handled) e.preventDefault();
  });

  dialog.addEventListener("close", function () {
    document.documentElement.classList.remove("viewer-open");
    var back = opener;
    opener = null;
    if (back && back.isConnected) back.focus();
  });

  window.addEventListener("resize", function () {
    if (!dialog.open) return;
    layout(panes[0]);
    if (comparing) layout(panes[1]);
  });

  function open(i, from) {
    opener = from;
    document.documentElement.classList.add("viewer-open");
    dialog.showModal();
    comparing = false;
    active = 0;
    setCompare(false);
    show(panes[0], i);
    panes[0].view.focus();
    announce(panes[0]);
  }
})();
