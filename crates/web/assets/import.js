// Vitrina: an import's page in the curator's workspace.
//
// Progressive enhancement: without this script the page works as it is (while an import runs,
// the page reloads itself every two seconds). With it, the progress bar follows the import by
// asking /admin/import/{id}/progress once a second, and the page reloads once, when the import
// has ended; and changing the mapping or the choices holds the Import button back until the
// plan has been checked again with them.
(function () {
  "use strict";
  var box = document.querySelector("[data-progress]");
  if (box && window.fetch) {
    var bar = box.querySelector("progress");
    var text = box.querySelector("[data-progress-text]");
    var words = box.getAttribute("data-msg-written") || "{done} / {total}";
    var follow = function () {
      fetch(box.getAttribute("data-progress"), {
        credentials: "same-origin",
        headers: { Accept: "application/json" }
      })
        .then(function (r) {
          if (!r.ok) throw new Error(String(r.status));
          return r.json();
        })
        .then(function (p) {
          if (p.state !== "running") {
            window.location.reload();
            return;
          }
          if (p.total > 0) {
            bar.max = p.total;
            bar.value = p.done;
            text.textContent = words.replace("{done}", p.done).replace("{total}", p.total);
          }
          window.setTimeout(follow, 1000);
        })
        .catch(function () {
          window.setTimeout(follow, 3000);
        });
    };
    window.setTimeout(follow, 1000);
  }
  var mapping = document.querySelector("[data-import-mapping]");
  var run = document.querySelector(".import-run__button");
  if (mapping && run) {
    var changed = function () {
      if (run.disabled) return;
      run.disabled = true;
      var hint = document.querySelector("[data-import-changed]");
      if (hint) {
        hint.textContent = mapping.getAttribute("data-msg-changed");
        hint.hidden = false;
        hint.id = "import-changed";
        run.setAttribute("aria-describedby", "import-changed");
      }
    };
    mapping.addEventListener("change", changed);
    mapping.addEventListener("input", changed);
  }
})();
