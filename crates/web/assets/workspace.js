// Vitrina: the type's page in the curator's workspace, which is one form with one Save.
//
// Progressive enhancement: without this script the page works as it is. With it, the save bar
// says when there are unsaved changes, the browser asks before leaving the page with them, and
// Ctrl+S (⌘S on a Mac) saves.
(function () {
  "use strict";
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
  form.addEventListener("change", mark);
  form.addEventListener("submit", function () {
    dirty = false;
  });
  window.addEventListener("beforeunload", function (e) {
    if (!dirty) return;
    e.preventDefault();
    e.returnValue = form.dataset.unsaved || "";
  });
  document.addEventListener("keydown", function (e) {
    if ((e.ctrlKey || e.metaKey) && !e.altKey && (e.key === "s" || e.key === "S")) {
      e.preventDefault();
      var save = form.querySelector(".savebar__save");
      if (form.requestSubmit) form.requestSubmit(save || undefined);
      else if (save) save.click();
    }
  });
})();
