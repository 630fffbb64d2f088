// weipian: small page helpers (no network): "select all" for checkbox lists, self-submitting filters.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (box instanceof HTMLSelectElement && box.hasAttribute("data-autosubmit")) {
    box.form?.submit();
    return;
  }
  if (!(box instanceof HTMLInputElement) || !box.dataset.selectAll) return;
  const form = box.closest("form");
  if (!form) return;
  for (const item of form.querySelectorAll(`input[type=checkbox][name="${box.dataset.selectAll}"]`)) {
    item.checked = box.checked;
  }
});

// A form with data-confirm asks before it is sent (e.g. submitting with missing field photos).
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
  const ack = form.querySelector("input[name=evidence_ack]");
  if (ack?.checked) return; // confirmed on the page already
  if (!window.confirm(`提交前请注意：\n${form.dataset.confirm}\n\n仍要提交吗？`)) event.preventDefault();
  else if (ack) ack.checked = true; // the server asks for the confirmation too
});
