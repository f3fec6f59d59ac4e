// Progressive enhancements only: every page works without this file.
(function () {
  'use strict';

  function focusErrorSummary(root) {
    var summary = (root || document).querySelector('[data-autofocus]');
    if (summary) summary.focus();
  }

  // The checkbox (rendered hidden: without JS it could do nothing) replaces the fallback button
  // that shows the password by posting the form.
  function wirePasswordToggles(root) {
    (root || document).querySelectorAll('[data-toggle-password]').forEach(function (box) {
      if (box.dataset.wired) return;
      box.dataset.wired = '1';
      var inputId = box.getAttribute('data-toggle-password');
      box.addEventListener('change', function () {
        var input = document.getElementById(inputId);
        if (input) input.type = box.checked ? 'text' : 'password';
      });
      var control = box.closest('.checkbox') || box;
      control.hidden = false;
      document.querySelectorAll('[data-toggle-password-fallback="' + inputId + '"]').forEach(function (button) {
        button.hidden = true;
      });
    });
  }

  function wireCopyButtons(root) {
    (root || document).querySelectorAll('[data-copy-target]').forEach(function (button) {
      if (button.dataset.wired) return;
      button.dataset.wired = '1';
      button.hidden = false;
      button.addEventListener('click', function () {
        var target = document.getElementById(button.getAttribute('data-copy-target'));
        if (!target || !navigator.clipboard) return;
        navigator.clipboard.writeText(target.textContent.trim()).then(function () {
          var done = button.getAttribute('data-copied-label');
          if (done) button.textContent = done;
        });
      });
    });
  }

  function enhance(root) {
    wirePasswordToggles(root);
    wireCopyButtons(root);
  }

  document.addEventListener('DOMContentLoaded', function () {
    enhance(document);
    focusErrorSummary(document);
  });
  document.addEventListener('htmx:after:swap', function (event) {
    var target = event.target || document;
    enhance(document);
    focusErrorSummary(target);
  });
})();
