// Site-wide behaviour. Kept out of the templates so a strict Content-Security-Policy holds.
document.addEventListener("DOMContentLoaded", () => {
  // Auto-submit marked forms (e.g. filters) when a control changes; they still work with a button.
  document.querySelectorAll("form[data-autosubmit]").forEach((form) => {
    form.addEventListener("change", () => form.requestSubmit());
  });
});
