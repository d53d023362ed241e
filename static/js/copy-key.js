/* The copy buttons of the API tokens and calendar pages: progressive enhancement, the pages work without them.
 *
 * A button with data-copy-from="<input id>" is hidden in the HTML (nothing to click without JavaScript,
 * where the key is selected and copied by hand). Here it is shown; a click copies the input's value with
 * the Clipboard API, or, where that is refused (plain HTTP, an old browser), selects the text so that
 * Ctrl+C / Cmd+C copies it. The outcome is announced in the polite live region named by
 * data-copy-status. No inline code: the page runs under a strict Content Security Policy.
 */
(function () {
  "use strict";

  function announce(button, text) {
    const status = document.getElementById(button.dataset.copyStatus);
    if (status) {
      status.textContent = text;
    }
  }

  function selectForManualCopy(button, input) {
    input.focus();
    input.select();
    announce(button, "Selected: press Ctrl+C (Cmd+C on a Mac) to copy it.");
  }

  document.querySelectorAll("button[data-copy-from]").forEach(function (button) {
    const input = document.getElementById(button.dataset.copyFrom);
    if (!input) {
      return;
    }
    button.hidden = false;
    button.addEventListener("click", function () {
      if (!navigator.clipboard || !window.isSecureContext) {
        selectForManualCopy(button, input);
        return;
      }
      navigator.clipboard.writeText(input.value).then(
        function () {
          announce(button, "Copied to the clipboard.");
        },
        function () {
          selectForManualCopy(button, input);
        }
      );
    });
  });
})();
