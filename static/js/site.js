/* Every page's small enhancements; each page works without them.
 *
 * - a button with data-toggle="<id>" shows and hides the element of that id, saying so in
 *   aria-expanded: the official-site banner's "Here's how you know", and the menu on a narrow screen;
 * - the menu button appears, and the menu folds behind it, only once this script runs, so without
 *   JavaScript the menu is always open;
 * - a form sent back with errors has its error summary focused (templates/includes/form_errors.html),
 *   so a screen reader reads what to fix and the keyboard goes on from there to the fields' links,
 *   unless the page focuses a field of its own (autofocus).
 * No inline code: the pages run under a strict Content Security Policy.
 */
(function () {
  "use strict";

  function setOpen(button, open) {
    const target = document.getElementById(button.dataset.toggle);
    button.setAttribute("aria-expanded", String(open));
    target.hidden = !open;
  }

  for (const button of document.querySelectorAll("[data-toggle]")) {
    button.addEventListener("click", () => setOpen(button, button.getAttribute("aria-expanded") !== "true"));
  }

  const menuButton = document.querySelector(".orderctl-menu-btn");
  if (menuButton) {
    const narrow = window.matchMedia("(max-width: 39.99em)");
    const fold = () => {
      menuButton.hidden = !narrow.matches;
      setOpen(menuButton, !narrow.matches);
    };
    narrow.addEventListener("change", fold);
    fold();
    document.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && narrow.matches && menuButton.getAttribute("aria-expanded") === "true") {
        setOpen(menuButton, false);
        menuButton.focus();
      }
    });
  }

  // A field the page itself focuses (autofocus: the import's directive just added) keeps the focus.
  const summary = document.querySelector("[data-error-summary]");
  if (summary && !document.querySelector("[autofocus]")) {
    summary.focus();
  }
})();
