// Vitrina: the type's page in the curator's workspace, which is one form with one Save.
//
// Also the history pages: their dates are shown in the curator's time zone.
//
// Progressive enhancement: without this script the page works as it is (each list shows one
// empty row; saving gives another). With it, the save bar says when there are unsaved changes,
// the browser asks before leaving the page with them, Ctrl+S (⌘S on a Mac) saves, and typing
// in a list's empty row (an engraving, a hallmark, a measurement, a mark) adds the next one.
(function () {
  "use strict";
  // Dates in the curator's own time zone (the history's <time data-local>, written in UTC).
  var times = document.querySelectorAll("time[data-local]");
  if (times.length && window.Intl && Intl.DateTimeFormat) {
    var format = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
      day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit"
    });
    for (var t = 0; t < times.length; t++) {
      var at = new Date(times[t].getAttribute("datetime"));
      if (isNaN(at.getTime())) continue;
      times[t].title = times[t].textContent;
      times[t].textContent = format.format(at);
    }
  }
  var form = document.getElementById("type-form");
  if (!form) return;
  var bar = form.querySelector(".savebar");
  var dirty = false;
  function mark() {
    if (dirty) return;
    dirty = true;
    if (bar) bar.classList.add("is-dirty");
  }
  form.addEventListener("input", mark);
  // A list's empty row, once used, gets an empty one after it: the same fields, numbered on.
  function grow(e) {
    var row = e.target.closest && e.target.closest(".row--new");
    if (!row) return;
    var next = row.cloneNode(true);
    row.classList.remove("row--new");
    var fields = next.querySelectorAll("[name]");
    for (var i = 0; i < fields.length; i++) {
      var el = fields[i];
      el.name = el.name.replace(/_(\d+)_([a-z_]+)$/, function (_, n, col) {
        return "_" + (Number(n) + 1) + "_" + col;
      });
      if (el.type === "checkbox") el.checked = false;
      else if (el.tagName === "SELECT") el.selectedIndex = 0;
      else el.value = "";
    }
    row.parentNode.insertBefore(next, row.nextSibling);
  }
  form.addEventListener("input", grow);
  form.addEventListener("change", grow);
  form.addEventListener("change", mark);
  form.addEventListener("submit", function () {
    dirty = false;
  });
  window.addEventListener("beforeunload", function (e) {
    if (!dirty) return;
    e.preventDefault();
    e.returnValue = form.dataset.unsaved || "";
  });
  // Photos in a new order: dragged by their handle, or moved with the arrow keys on it. The
  // hidden `order` fields say the new places; the Save applies them (the Move buttons stay for
  // a page without this script).
  var dragged = null;
  function renumber(list) {
    var orders = list.querySelectorAll(":scope > .photo > [data-order]");
    for (var i = 0; i < orders.length; i++) orders[i].value = String(i);
    mark();
  }
  var lists = form.querySelectorAll("[data-sortable]");
  for (var l = 0; l < lists.length; l++) {
    var handles = lists[l].querySelectorAll(":scope > .photo > .photo__handle");
    for (var h = 0; h < handles.length; h++) {
      var handle = handles[h];
      handle.hidden = false;
      handle.addEventListener("mousedown", function (e) {
        e.target.closest(".photo").draggable = true;
      });
      handle.addEventListener("keydown", function (e) {
        var item = e.target.closest(".photo");
        var list = item.parentNode;
        if (e.key === "ArrowUp" && item.previousElementSibling) {
          list.insertBefore(item, item.previousElementSibling);
        } else if (e.key === "ArrowDown" && item.nextElementSibling) {
          list.insertBefore(item.nextElementSibling, item);
        } else {
          return;
        }
        e.preventDefault();
        e.target.focus();
        renumber(list);
      });
    }
    lists[l].addEventListener("dragstart", function (e) {
      dragged = e.target.closest && e.target.closest(".photo");
      if (!dragged) return;
      dragged.classList.add("is-dragged");
      e.dataTransfer.effectAllowed = "move";
      e.dataTransfer.setData("text/plain", dragged.id);
    });
    lists[l].addEventListener("dragover", function (e) {
      var over = e.target.closest && e.target.closest(".photo");
      if (!dragged || !over || over === dragged || over.parentNode !== dragged.parentNode) return;
      e.preventDefault();
      var box = over.getBoundingClientRect();
      var after = e.clientY > box.top + box.height / 2;
      over.parentNode.insertBefore(dragged, after ? over.nextSibling : over);
    });
    lists[l].addEventListener("dragend", function () {
      if (!dragged) return;
      dragged.classList.remove("is-dragged");
      dragged.draggable = false;
      renumber(dragged.parentNode);
      dragged = null;
    });
  }
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "s" || e.key === "S")) {
      e.preventDefault();
      var save = form.querySelector(".savebar__save");
      if (form.requestSubmit) form.requestSubmit(save || undefined);
      else if (save) save.click();
    }
  });
})();
