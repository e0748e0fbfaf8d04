/*
 * The print queue's "Select all on this page" (a file of this site: the Content Security Policy runs no
 * inline script). Without JavaScript the control is a link that shows the same page with every row
 * checked; with it, the link checks (or, when all are checked, clears) the rows in place.
 */
(function () {
  "use strict";

  function boxes(link) {
    var form = link.closest("form");
    var name = link.getAttribute("data-select-all");
    return form ? Array.prototype.slice.call(form.querySelectorAll("input[type='checkbox'][name='" + name + "']")) : [];
  }

  function label(link) {
    var all = boxes(link);
    var checked = all.filter(function (box) { return box.checked; });
    link.textContent = all.length && checked.length === all.length ? "Clear the selection on this page" : "Select all on this page";
  }

  document.querySelectorAll("[data-select-all]").forEach(function (link) {
    link.setAttribute("role", "button");
    label(link);
    link.addEventListener("click", function (event) {
      event.preventDefault();
      var all = boxes(link);
      var select = !all.every(function (box) { return box.checked; });
      all.forEach(function (box) { box.checked = select; });
      label(link);
    });
    link.addEventListener("keydown", function (event) {
      if (event.key === " ") {  // a button is pressed with the space bar too
        event.preventDefault();
        link.click();
      }
    });
    var form = link.closest("form");
    if (form) {
      form.addEventListener("change", function () { label(link); });
    }
  });
})();
