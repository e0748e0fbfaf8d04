/*
 * Two small behaviours of the intake, screening and review pages, in a file of this site (the Content
 * Security Policy runs no inline script). Every page works without them: the forms submit, the messages show.
 *
 * 1. A form with data-confirm="question" asks the question before a destructive or final action (remove a
 *    member, abandon an intake, submit for review, record a decision, return a family); "Cancel" keeps the
 *    page as it is.
 * 2. After a save or an error, the keyboard focus moves to what the page says about it: an error summary
 *    (an alert with tabindex="-1"), else the first message at the top of the page.
 */
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) {
      return;
    }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) {
      event.preventDefault();
    }
  });

  function focusWhatHappened() {
    var target =
      document.querySelector("main [role='alert'][tabindex='-1']") ||
      document.querySelector("main > [aria-live] .usa-alert");
    if (!target) {
      return;
    }
    if (!target.hasAttribute("tabindex")) {
      target.setAttribute("tabindex", "-1");
    }
    target.focus();
  }

  // After "load": a URL's #fragment is scrolled to (and the focus reset) before it, not after.
  if (document.readyState === "complete") {
    focusWhatHappened();
  } else {
    window.addEventListener("load", focusWhatHappened);
  }
})();
