// What both map renderers share (map.js with MapLibre, map-leaflet.js without WebGL): colours,
// requests to this server, the info panel and the phase labels.

// One colour per reference layer kind; lines only, so imagery stays visible underneath.
export const LAYER_COLOURS = {
  landuse: "#e0c080", basic_farmland: "#ffe000", eco_redline: "#00c060", dev_boundary: "#b060ff",
  preapproval: "#40a0ff", conversion_approval: "#0060ff", land_supply: "#80d0ff",
  temporary_use: "#ff9030", facility_agri: "#90ff60", consolidation: "#c0a0ff",
  mining_right: "#ff6000", protected_area: "#00a040", military: "#a0a0a0", townships: "#202020",
  prior_patches: "#ff40c0",
};
export const OTHER_PATCHES = "#ffd400";
export const SPLIT_PARTS = "#00e5ff"; // the parts of a split patch (图斑拆分)

export function hasWebGL() {
  try {
    const canvas = document.createElement("canvas");
    return Boolean(canvas.getContext("webgl2") || canvas.getContext("webgl"));
  } catch {
    return false;
  }
}

export async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

// "w,s,e,n" of a view, clamped to what the server accepts.
export function bboxParam(w, s, e, n) {
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  return [clamp(w, -180, 179.9), clamp(s, -90, 89.9), clamp(e, -179.9, 180), clamp(n, -89.9, 90)]
    .map((v) => v.toFixed(6)).join(",");
}

export function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

// Attribute names as staff know them (the delivered field names stay in a tooltip).
export const FIELD_NAMES = {
  code: "编号", state: "状态", verdict: "判定结果", XZQMC: "行政区名称", DLBM: "地类编码", DLMC: "地类名称",
  QSDWMC: "权属单位", ZLDWMC: "坐落单位", XMMC: "项目名称", PZWH: "批准文号", PZRQ: "批准日期",
  XKZH: "许可证号", KSMC: "矿山名称", YXQZ: "有效期至", JCBH: "监测编号", NAME: "名称", MC: "名称",
  name: "文件", azimuth: "拍摄方向（°）", failed: "未通过的核验项", note: "说明",
};

// The side panel's content for a clicked feature: a patch (with a link) or a layer's record.
export function showInfo(panel, { kind, id, properties }, layerLabels, stateLabels) {
  const title = kind === "patches" ? `图斑 ${properties.code}` : (layerLabels[kind] || kind);
  const rows = Object.entries(properties)
    .filter(([, v]) => v !== null && v !== "")
    .map(([k, v]) => {
      const value = k === "state" ? (stateLabels[v] || v) : v;
      const name = (kind === "patches" && k === "code") ? "监测编号" : (FIELD_NAMES[k] || k);
      return `<dt title="${escapeHtml(k)}">${escapeHtml(name)}</dt><dd>${escapeHtml(String(value))}</dd>`;
    }).join("");
  const link = kind === "patches" ? `<p><a href="/patches/${id}">打开此图斑</a></p>` : "";
  panel.innerHTML = `<h3>${escapeHtml(title)}</h3><dl class="facts">${rows}</dl>${link}`;
}

export function labelPhases(imagery) {
  for (const [phase, label] of [["before", "◀ 前时相"], ["after", "后时相 ▶"]]) {
    const node = document.getElementById(`map-phase-${phase}`);
    if (node) node.textContent = imagery[phase] ? `${label} ${imagery[phase].taken_on}` : `${label}：暂无影像`;
  }
}

// A checkbox per reference layer in #map-layers; `toggle(kind, on)` does the drawing.
export function layerToggles(layerList, toggle) {
  const box = document.getElementById("map-layers");
  if (!box) return;
  for (const layer of layerList) {
    const label = document.createElement("label");
    const input = document.createElement("input");
    input.type = "checkbox";
    input.value = layer.kind;
    input.dataset.kind = layer.kind;
    const swatch = document.createElement("span");
    swatch.className = "swatch";
    swatch.style.borderColor = LAYER_COLOURS[layer.kind] || "#fff";
    label.append(input, swatch, ` ${layer.label}`);
    box.append(label);
    input.addEventListener("change", () => toggle(layer.kind, input.checked));
  }
  if (!layerList.length) box.insertAdjacentHTML("beforeend", '<p class="muted small">尚未导入参考图层。</p>');
}

// Clicked features, the patches first: a click inside a patch means the patch, not the 地类图斑
// underneath; among patches the smaller (the one drawn on top) wins.
export function patchFirst(hits, isPatch) {
  return [...hits].sort((a, b) => Number(isPatch(b)) - Number(isPatch(a)))[0];
}

// The clicked point's coordinates under the info panel (CGCS2000 degrees, as 中心点 is shown).
export function showClickPoint(panel, lon, lat) {
  if (!panel) return;
  panel.querySelector(".click-point")?.remove();
  const p = document.createElement("p");
  p.className = "click-point small";
  p.textContent = `点击位置：经度 ${lon.toFixed(6)}，纬度 ${lat.toFixed(6)}`;
  panel.append(p);
}

// 「我的位置」: the browser's own positioning (GPS on a phone; no internet needed).
export function locateButton(onPosition) {
  const button = document.getElementById("map-locate");
  if (!button) return;
  const note = document.getElementById("map-info");
  button.addEventListener("click", () => {
    if (!navigator.geolocation) {
      if (note) note.textContent = "此浏览器不支持定位。";
      return;
    }
    button.disabled = true;
    button.textContent = "定位中…";
    navigator.geolocation.getCurrentPosition(
      (pos) => {
        button.disabled = false;
        button.textContent = "我的位置";
        onPosition(pos.coords.longitude, pos.coords.latitude, pos.coords.accuracy);
        if (note) note.textContent = `我的位置：经度 ${pos.coords.longitude.toFixed(6)}，纬度 ${pos.coords.latitude.toFixed(6)}（精度约 ${Math.round(pos.coords.accuracy)} 米）`;
      },
      (err) => {
        button.disabled = false;
        button.textContent = "我的位置";
        const why = err.code === 1 ? "未允许定位，请在浏览器设置中允许本网站使用位置" : "暂时无法定位，请到开阔处重试";
        if (note) note.textContent = `${why}。`;
      },
      { enableHighAccuracy: true, timeout: 15000, maximumAge: 30000 },
    );
  });
}

// Without imagery the map is an empty grey box: switch 地类图斑 on and say so.
export function withoutImagery(imagery, subject = "本图斑") {
  if (imagery.before || imagery.after) return;
  const note = document.getElementById("map-imagery-note");
  const box = document.querySelector('#map-layers input[data-kind="landuse"]');
  if (box && !box.checked) {
    box.checked = true;
    box.dispatchEvent(new Event("change"));
  }
  const said = box ? `${subject}暂无卫星影像，已打开国土调查地类图斑作参照。` : `${subject}暂无卫星影像，也没有地类图斑可作参照。`;
  if (note) {
    note.hidden = false;
    note.textContent = said;
  }
  // The text alternative must not describe imagery that is not there.
  const text = document.getElementById("map-text-imagery");
  if (text) text.textContent = `；${said.replace(/。$/, "")}`;
}

// Field photos as points with a short arrow in the direction each was taken (the arrow is drawn as
// lines, so no icon or font is needed): GeoJSON for the points and for the arrows.
export function photoArrows(points, lengthM = 18) {
  const lines = [];
  for (const f of points.features) {
    const az = f.properties.azimuth;
    if (az === null || az === undefined) continue;
    const [lon, lat] = f.geometry.coordinates;
    const toLon = (m, a) => (m * Math.sin(a)) / (111320 * Math.cos((lat * Math.PI) / 180));
    const toLat = (m, a) => (m * Math.cos(a)) / 110540;
    const a = (az * Math.PI) / 180;
    const tip = [lon + toLon(lengthM, a), lat + toLat(lengthM, a)];
    const wing = (d) => [tip[0] - toLon(lengthM / 3, a + d), tip[1] - toLat(lengthM / 3, a + d)];
    lines.push({ type: "Feature", properties: { failed: f.properties.failed },
      geometry: { type: "MultiLineString", coordinates: [[[lon, lat], tip], [wing(0.5), tip, wing(-0.5)]] } });
  }
  return { type: "FeatureCollection", features: lines };
}
