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
