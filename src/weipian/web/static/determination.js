// weipian: the determination form follows the verdict (no network, plain DOM).
// - 细类 offers only the values the rule data allows for the chosen 判定结果;
// - sections that do not apply to the verdict hide, and their inputs are disabled so a hidden
//   leftover is never sent;
// - the ㎡/亩 switch converts the numbers already typed;
// - 「采用预判结果」 fills in the suggestion and the desk figures.
// Without JavaScript the whole form shows and the server checks everything the same way.
(() => {
  const form = document.getElementById("detform");
  if (!form) return;
  const sections = JSON.parse(form.dataset.sections || "{}");
  const m2PerMu = Number(form.dataset.m2PerMu) || 10000 / 15;
  const verdict = form.elements.namedItem("verdict");
  const subtype = form.elements.namedItem("subtype");
  const mining = form.elements.namedItem("is_mining");

  function show(part, visible) {
    for (const el of form.querySelectorAll(`[data-section="${part}"]`)) {
      el.hidden = !visible;
      for (const input of el.querySelectorAll("input, select, textarea")) input.disabled = !visible;
      if (el.matches("input, select, textarea")) el.disabled = !visible;
    }
  }

  function filterSubtypes() {
    const v = verdict.value;
    let keep = false;
    for (const group of subtype.querySelectorAll("optgroup")) {
      const on = group.dataset.verdict === v;
      group.hidden = !on;
      group.disabled = !on;
      if (on && subtype.selectedOptions[0]?.parentElement === group) keep = true;
    }
    if (!keep && subtype.selectedOptions[0]?.dataset.verdict) subtype.value = "";
  }

  function markRequired() {
    for (const star of form.querySelectorAll("[data-required-for]")) {
      star.hidden = !star.dataset.requiredFor.split(",").includes(verdict.value);
    }
  }

  function update() {
    const v = verdict.value;
    show("subtype", (sections.subtype || []).includes(v));
    show("violation", (sections.violation || []).includes(v));
    show("approvals", (sections.approvals || []).includes(v));
    show("mining", Boolean(mining?.checked));
    filterSubtypes();
    markRequired();
    photoWarning();
  }

  // The pre-submit photo warning follows the verdict: the count needed is rule data per verdict.
  function photoWarning() {
    const warn = document.getElementById("photo-warnings");
    if (!warn || !warn.dataset.required) return;
    const required = JSON.parse(warn.dataset.required);
    const need = required[verdict.value] ?? required.default ?? 0;
    const have = Number(warn.dataset.photos) || 0;
    const list = warn.querySelector("ul");
    list.querySelector('[data-gap="evidence.gap.missing"]')?.remove();
    if (have < need) {
      const li = document.createElement("li");
      li.dataset.gap = "evidence.gap.missing";
      li.textContent = warn.dataset.missing.replace("{count}", have).replace("{required}", need);
      list.prepend(li);
    }
    const lines = [...list.children].map((li) => li.textContent);
    warn.dataset.confirm = lines.join("\n");
    warn.hidden = !lines.length;
    const ack = warn.querySelector("input[name=evidence_ack]");
    if (ack) ack.disabled = !lines.length;
  }

  function unitFactor(unit) {
    return unit === "mu" ? m2PerMu : 1;
  }

  let unit = form.querySelector("input[name=area_unit]:checked")?.value || "m2";
  form.addEventListener("change", (event) => {
    const t = event.target;
    if (t === verdict || t === mining) update();
    if (t.name === "area_unit" && t.checked && t.value !== unit) {
      const ratio = unitFactor(unit) / unitFactor(t.value);
      for (const input of form.querySelectorAll("input[data-area]")) {
        const n = Number(input.value.replace(/,/g, ""));
        if (input.value.trim() !== "" && Number.isFinite(n)) {
          input.value = String(Math.round(n * ratio * 10000) / 10000);
        }
      }
      unit = t.value;
      for (const label of form.querySelectorAll("[data-unit-label]")) label.textContent = unit === "mu" ? "亩" : "㎡";
    }
  });

  form.querySelector("[data-prefill]")?.addEventListener("click", (event) => {
    const values = JSON.parse(event.currentTarget.dataset.prefill);
    verdict.value = values.verdict || "";
    if (mining && "is_mining" in values) mining.checked = Boolean(values.is_mining);
    update();
    const m2 = form.querySelector("input[name=area_unit][value=m2]");
    if (m2 && !m2.checked) {
      m2.checked = true;
      m2.dispatchEvent(new Event("change", { bubbles: true }));
    }
    for (const [name, value] of Object.entries(values)) {
      if (name === "verdict" || name === "is_mining") continue;
      const el = form.elements.namedItem(name);
      if (el && !el.disabled) el.value = value;
    }
    form.querySelector("[data-prefilled]")?.remove();
    const note = document.createElement("span");
    note.dataset.prefilled = "1";
    note.className = "small ok-text";
    note.setAttribute("role", "status");
    note.textContent = "已填入预判结果，请核对后保存。";
    event.currentTarget.after(note);
  });

  // Submitting with missing or failed photos: ask once, listing them (saving a draft does not ask).
  form.addEventListener("submit", (event) => {
    const warn = document.getElementById("photo-warnings");
    if (event.submitter?.value !== "submit" || !warn || warn.hidden) return;
    const ack = warn.querySelector("input[name=evidence_ack]");
    if (ack?.checked) return; // already confirmed on the page
    if (!window.confirm(`提交前请注意：\n${warn.dataset.confirm}\n\n仍要提交审核吗？`)) event.preventDefault();
    else if (ack) ack.checked = true; // the server asks for this confirmation too
  });

  update();
  // After a refused save the browser lands on #determination: bring the summary into view.
  document.getElementById("determination-errors")?.focus();
})();
