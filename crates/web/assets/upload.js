// Photo upload in the curator's workspace: turns the plain multipart form (rows of role, alt
// text and file) into a drop zone with one row per chosen file and a progress bar. Without
// JavaScript the plain form works as it is. The server checks everything again.
(function () {
  "use strict";
  var ROLES = ["obverse", "reverse", "marks", "detail", "document"];
  var ROLE_LABELS = { obverse: "Obverse", reverse: "Reverse", marks: "Marks", detail: "Details", document: "Documents" };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (text) e.textContent = text;
    return e;
  }

  function size(n) {
    return n >= 1e6 ? (n / 1e6).toFixed(1) + " MB" : Math.max(1, Math.round(n / 1e3)) + " KB";
  }

  function enhance(form) {
    var rows = form.querySelector(".upload__rows");
    var maxBytes = (parseFloat(form.getAttribute("data-max-mb")) || 50) * 1e6;
    var chosen = [];

    var picker = el("input", { type: "file", multiple: "", accept: "image/*", hidden: "" });
    var zone = el("button", { type: "button", class: "upload__zone" },
      "Drop photos here, or choose them");
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
          status.textContent = file.name + " is larger than " + size(maxBytes) + " and was left out.";
          return;
        }
        var item = { file: file };
        var li = el("li", { class: "upload__item" });
        li.appendChild(el("span", { class: "upload__name" }, file.name + " (" + size(file.size) + ")"));
        var role = el("select", { "aria-label": "Role of " + file.name });
        ROLES.forEach(function (r) { role.appendChild(el("option", { value: r }, ROLE_LABELS[r])); });
        role.value = ROLES[Math.min(chosen.length, 1)];
        if (chosen.length > 1) role.value = "detail";
        var alt = el("input", { type: "text", maxlength: "500", placeholder: "Alt text",
          "aria-label": "Alt text for " + file.name });
        var remove = el("button", { type: "button", class: "upload__remove" }, "Remove");
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
        status.textContent = "Choose at least one photo first.";
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
      status.textContent = "Uploading…";
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
          status.textContent = "Uploaded. The sizes for the site are being made.";
          window.location.reload();
        } else {
          bar.hidden = true;
          status.textContent = body.detail || body.error || ("The upload failed (" + xhr.status + ").");
        }
      });
      xhr.addEventListener("error", function () {
        form.querySelectorAll("button").forEach(function (b) { b.disabled = false; });
        bar.hidden = true;
        status.textContent = "The upload failed: the server could not be reached.";
      });
      xhr.send(data);
    });
  }

  document.querySelectorAll("form[data-upload]").forEach(enhance);
})();
