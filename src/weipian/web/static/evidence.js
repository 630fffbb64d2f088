// Field evidence upload (no network beyond this server):
// - the file picker offers photos or documents according to the chosen kind (the camera button
//   only for photos);
// - every chosen file is listed with a note of its own (sent as file_note, in the same order);
// - the upload shows its progress; when done the page reloads at the evidence section;
// - before submission a photo can be replaced (choosing the new file sends it) or deleted (asked
//   first).
document.addEventListener("change", (event) => {
  const radio = event.target;
  if (!(radio instanceof HTMLInputElement) || radio.name !== "kind" || !radio.dataset.accept) return;
  const form = radio.form;
  const input = form && form.querySelector('.evidence-files input[type="file"]');
  if (input) input.accept = radio.dataset.accept;
  const camera = form && form.querySelector("[data-photo-only]");
  if (camera) camera.hidden = radio.value !== "photo";
});

(() => {
  const form = document.querySelector("form.evidence-upload");
  if (!form) return;
  const list = form.querySelector(".chosen-files");
  const inputs = () => [...form.querySelectorAll('input[type="file"][name="files"]')];

  function listChosen() {
    const kept = new Map([...list.querySelectorAll("input[name=file_note]")].map((i) => [i.dataset.key, i.value]));
    list.replaceChildren();
    for (const input of inputs()) {
      for (const file of input.files) {
        const key = `${file.name}/${file.size}`;
        const li = document.createElement("li");
        const name = document.createElement("span");
        name.className = "file-name";
        name.textContent = `${file.name}（${(file.size / 1048576).toFixed(1)} MB）`;
        const note = document.createElement("input");
        note.name = "file_note";
        note.maxLength = 255;
        note.dataset.key = key;
        note.placeholder = "这张的说明，如：东侧全景";
        note.setAttribute("aria-label", `${file.name} 的说明`);
        note.value = kept.get(key) || "";
        li.append(name, note);
        list.append(li);
      }
    }
    list.hidden = !list.children.length;
  }
  for (const input of inputs()) input.addEventListener("change", listChosen);

  form.addEventListener("submit", (event) => {
    if (!window.XMLHttpRequest || !window.FormData) return; // the plain form post still works
    event.preventDefault();
    const progress = form.querySelector(".upload-progress");
    const status = form.querySelector(".upload-status");
    const button = form.querySelector("button[type=submit]");
    const xhr = new XMLHttpRequest();
    xhr.open("POST", form.action);
    xhr.setRequestHeader("X-Keep-Flash", "1"); // the notice belongs to the page loaded next
    xhr.upload.addEventListener("progress", (e) => {
      if (!e.lengthComputable) return;
      const pct = Math.round((e.loaded / e.total) * 100);
      progress.value = pct;
      status.textContent = `正在上传 ${pct}%`;
    });
    xhr.addEventListener("load", () => {
      if (xhr.status < 400) {
        status.textContent = "上传完成，正在刷新…";
        // One navigation: reload this page (the browser keeps the scroll position), or go where
        // the server sent us (e.g. the sign-in page after a session ended).
        const target = new URL(xhr.responseURL);
        if (target.pathname === window.location.pathname) window.location.reload();
        else window.location.replace(target.href);
        return;
      }
      // Refused: show the server's page (it lists what was wrong, in the layout).
      document.open();
      document.write(xhr.responseText);
      document.close();
    });
    xhr.addEventListener("error", () => {
      status.textContent = "网络中断，上传失败，请检查网络后重试（已选的文件仍在）。";
      button.disabled = false;
      progress.hidden = true;
    });
    progress.hidden = false;
    button.disabled = true;
    status.textContent = "正在上传 0%";
    xhr.send(new FormData(form));
  });
})();

document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.type !== "file") return;
  const form = input.closest("form.evidence-replace");
  if (form && input.files.length) form.requestSubmit();
});

document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.ask) return;
  if (!window.confirm(form.dataset.ask)) event.preventDefault();
});

// With this script choosing the new file sends it: the fallback button is not needed.
for (const button of document.querySelectorAll("form.evidence-replace .replace-send")) button.hidden = true;
