// Photo upload in the curator's workspace: turns the plain multipart form (rows of role, alt
// text and file) into a drop zone with one row per chosen file and a progress bar. Without
// JavaScript the plain form works as it is. The server checks everything again.
//
// Its words come from the page, in the page's language: the form's `data-msg-*` attributes
// (with `{name}`, `{size}` and `{status}` filled in here) and the role names of the plain
// form's own role menu. English is the fallback when an attribute is missing.
(function () {
  "use strict";
  var ROLES = ["obverse", "reverse", "marks", "detail", "document"];
  var ROLE_LABELS = { obverse: "Obverse", reverse: "Reverse", marks: "Marks", detail: "Details", document: "Documents" };
  var MESSAGES = {
    zone: "Drop photos here, or choose them",
    tooLarge: "{name} is larger than {size} and was left out.",
    roleOf: "Role of {name}",
    alt: "Alt text",
    altFor: "Alt text for {name}",
    remove: "Remove",
    choose: "Choose at least one photo first.",
    uploading: "Uploading…",
    uploaded: "Uploaded. The sizes for the site are being made.",
    failed: "The upload failed ({status}).",
    unreachable: "The upload failed: the server could not be reached.",
    mb: "MB",
    kb: "KB"
  };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }

  function enhance(form) {
    var rows = form.querySelector(".upload__rows");
    var maxBytes = (parseFloat(form.getAttribute("data-max-mb")) || 50) * 1e6;
    var chosen = [];
    var lang = document.documentElement.lang || undefined;

    // A message of the page (`data-msg-too-large` for "tooLarge"), its `{…}` filled in.
    function msg(key, values) {
      var text = form.dataset["msg" + key.charAt(0).toUpperCase() + key.slice(1)] || MESSAGES[key];
      return text.replace(/\{([a-z]+)\}/g, function (whole, name) {
        return values && Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : whole;
      });
    }

    function size(n) {
      if (n >= 1e6) {
        var mb = n / 1e6;
        var shown;
        try {
          shown = mb.toLocaleString(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
        } catch (_) {
          shown = mb.toFixed(1);
        }
        return shown + " " + msg("mb");
      }
      return Math.max(1, Math.round(n / 1e3)) + " " + msg("kb");
    }

    // The role names as the plain form's menu shows them (translated by the page).
    var labels = {};
    ROLES.forEach(function (r) { labels[r] = ROLE_LABELS[r]; });
    var menu = rows && rows.querySelector("select[name=role]");
    if (menu) {
      Array.prototype.forEach.call(menu.options, function (o) {
        if (o.value && o.textContent.trim()) labels[o.value] = o.textContent.trim();
      });
    }

    var picker = el("input", { type: "file", multiple: "", accept: "image/*", hidden: "" });
    var zone = el("button", { type: "button", class: "upload__zone" },
      msg("zone"));
    var list = el("ol", { class: "upload__list" });
    var bar = el("progress", { class: "upload__progress", max: "100", value: "0", hidden: "" });
    var status = el("p", { class: "upload__status", role: "status", "aria-live": "polite" });
    rows.hidden = true;
    rows.querySelectorAll("input, select").forEach(function (i) { i.disabled = true; });
    rows.parentNode.insertBefore(zone, rows);
    zone.parentNode.insertBefore(picker, zone);
    rows.parentNode.insertBefore(list, rows);
    form.appendChild(bar);
    form.appendChild(status);

    zone.addEventListener("click", function () { picker.click(); });
    picker.addEventListener("change", function () { add(picker.files); picker.value = ""; });
    ["dragenter", "dragover"].forEach(function (t) {
      zone.addEventListener(t, function (e) { e.preventDefault(); zone.classList.add("is-over"); });
    });
    ["dragleave", "drop"].forEach(function (t) {
      zone.addEventListener(t, function () { zone.classList.remove("is-over"); });
    });
    zone.addEventListener("drop", function (e) {
      e.preventDefault();
      if (e.dataTransfer) add(e.dataTransfer.files);
    });

    function add(files) {
      Array.prototype.forEach.call(files, function (file) {
        if (file.size > maxBytes) {
          status.textContent = msg("tooLarge", { name: file.name, size: size(maxBytes) });
          return;
        }
        var item = { file: file };
        var li = el("li", { class: "upload__item" });
        li.appendChild(el("span", { class: "upload__name" }, file.name + " (" + size(file.size) + ")"));
        var role = el("select", { "aria-label": msg("roleOf", { name: file.name }) });
        ROLES.forEach(function (r) { role.appendChild(el("option", { value: r }, labels[r])); });
        role.value = ROLES[Math.min(chosen.length, 1)];
        if (chosen.length > 1) role.value = "detail";
        var alt = el("input", { type: "text", maxlength: "500", placeholder: msg("alt"),
          "aria-label": msg("altFor", { name: file.name }) });
        var remove = el("button", { type: "button", class: "upload__remove" }, msg("remove"));
        remove.addEventListener("click", function () {
          chosen.splice(chosen.indexOf(item), 1);
          li.remove();
        });
        item.role = role;
        item.alt = alt;
        li.appendChild(role);
        li.appendChild(alt);
        li.appendChild(remove);
        list.appendChild(li);
        chosen.push(item);
      });
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!chosen.length) {
        status.textContent = msg("choose");
        zone.focus();
        return;
      }
      var data = new FormData();
      var csrf = form.querySelector("input[name=csrf]");
      var specimen = form.querySelector("select[name=specimen]");
      if (specimen) data.append("specimen", specimen.value);
      chosen.forEach(function (item) {
        data.append("role", item.role.value);
        data.append("alt", item.alt.value);
        data.append("file", item.file, item.file.name);
      });
      var xhr = new XMLHttpRequest();
      xhr.open("POST", form.action);
      xhr.setRequestHeader("Accept", "application/json");
      if (csrf) xhr.setRequestHeader("X-CSRF-Token", csrf.value);
      bar.hidden = false;
      bar.value = 0;
      status.textContent = msg("uploading");
      form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
      xhr.upload.addEventListener("progress", function (ev) {
        if (ev.lengthComputable) bar.value = Math.round((ev.loaded / ev.total) * 100);
      });
      xhr.addEventListener("load", function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        var body = {};
        try { body = JSON.parse(xhr.responseText); } catch (_) { /* not JSON */ }
        if (xhr.status === 201) {
          bar.value = 100;
          status.textContent = msg("uploaded");
          window.location.reload();
        } else {
          bar.hidden = true;
          status.textContent = body.detail || body.error || msg("failed", { status: xhr.status });
        }
      });
      xhr.addEventListener("error", function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        bar.hidden = true;
        status.textContent = msg("unreachable");
      });
      xhr.send(data);
    });
  }

  document.querySelectorAll("form[data-upload]").forEach(enhance);
})();
