// Field evidence upload: the file picker offers photos or documents according to the chosen kind.
document.addEventListener("change", (event) => {
  const radio = event.target;
  if (!(radio instanceof HTMLInputElement) || radio.name !== "kind" || !radio.dataset.accept) return;
  const input = radio.form && radio.form.querySelector('input[type="file"][name="files"]');
  if (input) input.accept = radio.dataset.accept;
});
