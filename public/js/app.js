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

  // "A new password was generated" holds only while the field still has that password: typing
  // another one hides the notice (and stops the field being described by it).
  function wireGeneratedNotices(root) {
    (root || document).querySelectorAll('[data-generated-for]').forEach(function (notice) {
      if (notice.dataset.wired) return;
      notice.dataset.wired = '1';
      var input = document.getElementById(notice.getAttribute('data-generated-for'));
      if (!input) return;
      input.addEventListener('input', function () {
        var stillGenerated = input.value === input.defaultValue;
        notice.hidden = !stillGenerated;
        var ids = (input.getAttribute('aria-describedby') || '').split(' ').filter(function (id) {
          return id && id !== notice.id;
        });
        if (stillGenerated) ids.push(notice.id);
        input.setAttribute('aria-describedby', ids.join(' '));
      });
    });
  }

  // "Print this page" on the printable invoice; without JS the browser's own Print command does it.
  function wirePrintButtons(root) {
    (root || document).querySelectorAll('[data-print]').forEach(function (button) {
      if (button.dataset.wired) return;
      button.dataset.wired = '1';
      button.hidden = false;
      button.addEventListener('click', function () {
        window.print();
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
    wireGeneratedNotices(root);
    wireCopyButtons(root);
    wirePrintButtons(root);
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
