// weipian patch map: the patch over its before/after imagery with a swipe, the patches around it
// and toggles for every reference layer. Everything comes from this server (no basemap, no
// glyphs: there are no text labels, so no font download is ever attempted).
//
// Contract for tests and other pages: `window.mapReady` resolves to
// {patch: true, before: <image id|null>, after: <image id|null>} once the patch outline and the
// imagery are drawn (rejects with an Error if the map cannot start, e.g. without WebGL).
import * as maplibre from "./vendor/maplibre-gl-6.17.0/maplibre-gl.mjs";

const el = document.getElementById("map");

// One colour per reference layer kind; lines only, so imagery stays visible underneath.
const LAYER_COLOURS = {
  landuse: "#e0c080", basic_farmland: "#ffe000", eco_redline: "#00c060", dev_boundary: "#b060ff",
  preapproval: "#40a0ff", conversion_approval: "#0060ff", land_supply: "#80d0ff",
  temporary_use: "#ff9030", facility_agri: "#90ff60", consolidation: "#c0a0ff",
  mining_right: "#ff6000", protected_area: "#00a040", military: "#a0a0a0", townships: "#202020",
  prior_patches: "#ff40c0",
};
const STATE_LABELS = JSON.parse(el?.dataset.stateLabels || "{}");

function bboxParam(bounds) {
  const b = bounds.toArray();
  const clamp = (v, lo, hi) => Math.min(hi, Math.max(lo, v));
  return [clamp(b[0][0], -180, 179.9), clamp(b[0][1], -90, 89.9), clamp(b[1][0], -179.9, 180), clamp(b[1][1], -89.9, 90)]
    .map((v) => v.toFixed(6)).join(",");
}

async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(`${url}: HTTP ${response.status}`);
  return response.json();
}

function style(image) {
  const sources = {};
  const layers = [{ id: "background", type: "background", paint: { "background-color": "#d9dee5" } }];
  if (image) {
    sources.imagery = {
      type: "raster", tiles: [location.origin + image.tiles], tileSize: 256, bounds: image.bounds,
      minzoom: 0, maxzoom: 19,
    };
    layers.push({ id: "imagery", type: "raster", source: "imagery" });
  }
  return { version: 8, sources, layers };
}

function addOverlays(map, patchId, outline) {
  const empty = { type: "FeatureCollection", features: [] };
  map.addSource("patches", { type: "geojson", data: empty });
  map.addLayer({
    id: "patches-fill", type: "fill", source: "patches",
    paint: { "fill-color": "#ffd400", "fill-opacity": 0.06 },
    filter: ["!=", ["id"], patchId],
  });
  map.addLayer({
    id: "patches-line", type: "line", source: "patches",
    paint: { "line-color": "#ffd400", "line-width": 1.5 },
    filter: ["!=", ["id"], patchId],
  });
  map.addLayer({
    id: "patch-current", type: "line", source: "patches",
    paint: { "line-color": outline, "line-width": 3 },
    filter: ["==", ["id"], patchId],
  });
}

function addReference(map, kind) {
  if (map.getSource(`ref-${kind}`)) return;
  map.addSource(`ref-${kind}`, { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  map.addLayer({
    id: `ref-${kind}-fill`, type: "fill", source: `ref-${kind}`,
    paint: { "fill-color": LAYER_COLOURS[kind] || "#ffffff", "fill-opacity": 0.08 },
  }, "patches-fill");
  map.addLayer({
    id: `ref-${kind}-line`, type: "line", source: `ref-${kind}`,
    paint: { "line-color": LAYER_COLOURS[kind] || "#ffffff", "line-width": 1.2, "line-dasharray": [3, 1.5] },
  }, "patches-fill");
}

function removeReference(map, kind) {
  for (const id of [`ref-${kind}-fill`, `ref-${kind}-line`]) if (map.getLayer(id)) map.removeLayer(id);
  if (map.getSource(`ref-${kind}`)) map.removeSource(`ref-${kind}`);
}

function idle(map) {
  return new Promise((resolve) => {
    if (map.loaded() && map.areTilesLoaded()) resolve();
    else map.once("idle", resolve);
  });
}

function showInfo(panel, feature, layerLabels) {
  const source = feature.source;
  const title = source === "patches"
    ? `图斑 ${feature.properties.code}`
    : (layerLabels[source.replace(/^ref-/, "")] || source);
  const rows = Object.entries(feature.properties)
    .filter(([, v]) => v !== null && v !== "")
    .map(([k, v]) => {
      const value = k === "state" ? (STATE_LABELS[v] || v) : v;
      return `<dt>${escapeHtml(k)}</dt><dd>${escapeHtml(String(value))}</dd>`;
    }).join("");
  const link = source === "patches" ? `<p><a href="/patches/${feature.id}">打开此图斑</a></p>` : "";
  panel.innerHTML = `<h3>${escapeHtml(title)}</h3><dl class="facts">${rows}</dl>${link}`;
}

function escapeHtml(s) {
  return s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

async function start() {
  const patchId = Number(el.dataset.patchId);
  const outline = el.dataset.outline;
  const [w, s, e, n] = el.dataset.bbox.split(",").map(Number);
  const [imagery, layerList] = await Promise.all([
    getJSON(`/api/imagery?patch_id=${patchId}`).catch(() => ({ before: null, after: null })),
    getJSON("/api/map/layers"),
  ]);
  for (const [phase, label] of [["before", "◀ 前时相"], ["after", "后时相 ▶"]]) {
    const node = document.getElementById(`map-phase-${phase}`);
    if (node) node.textContent = imagery[phase] ? `${label} ${imagery[phase].taken_on}` : `${label}：暂无影像`;
  }
  const panes = {
    before: document.getElementById("map-before"),
    after: document.getElementById("map-after"),
  };
  const both = Boolean(imagery.before && imagery.after);
  const options = (container, image) => ({
    container, style: style(image), bounds: [[w, s], [e, n]], fitBoundsOptions: { padding: 60, maxZoom: 18 },
    attributionControl: false, maxZoom: 20, dragRotate: false, pitchWithRotate: false, touchPitch: false,
    localIdeographFontFamily: "'Noto Sans CJK SC','WenQuanYi Zen Hei',sans-serif",
  });
  // With one image or none, one map shows what there is; with both, two synced maps and a swipe.
  const after = new maplibre.Map(options(panes.after, imagery.after || imagery.before));
  const before = both ? new maplibre.Map(options(panes.before, imagery.before)) : null;
  if (!both) panes.before.hidden = true;
  const maps = before ? [before, after] : [after];
  after.addControl(new maplibre.NavigationControl({ showCompass: false }), "top-right");
  after.addControl(new maplibre.ScaleControl({ unit: "metric" }), "bottom-right");
  await Promise.all(maps.map((m) => new Promise((resolve) => m.on("load", resolve))));
  for (const m of maps) addOverlays(m, patchId, outline);

  if (both) {
    window.maplibregl = { ...maplibre };  // the UMD plugin wants a mutable global
    await import("./vendor/maplibre-gl-compare-0.5.0/maplibre-gl-compare.js");
    new window.maplibregl.Compare(before, after, "#map", {});
  }

  const enabled = new Set();
  const layerLabels = Object.fromEntries(layerList.map((l) => [l.kind, l.label]));
  const notice = document.getElementById("map-notice");

  async function refresh() {
    const box = bboxParam(after.getBounds());
    const jobs = [["patches", `/api/map/patches?bbox=${box}`], ...[...enabled].map((k) => [`ref-${k}`, `/api/map/layers/${k}?bbox=${box}`])];
    const results = await Promise.all(jobs.map(([, url]) => getJSON(url)));
    let truncated = false;
    jobs.forEach(([source], i) => {
      truncated ||= results[i].truncated;
      for (const m of maps) m.getSource(source)?.setData(results[i]);
    });
    if (notice) notice.hidden = !truncated;
  }
  let timer = null;
  after.on("moveend", () => { clearTimeout(timer); timer = setTimeout(() => refresh().catch(console.error), 150); });

  const toggles = document.getElementById("map-layers");
  if (toggles) {
    for (const layer of layerList) {
      const label = document.createElement("label");
      const box = document.createElement("input");
      box.type = "checkbox";
      box.value = layer.kind;
      box.dataset.kind = layer.kind;
      const swatch = document.createElement("span");
      swatch.className = "swatch";
      swatch.style.borderColor = LAYER_COLOURS[layer.kind] || "#fff";
      label.append(box, swatch, ` ${layer.label}`);
      toggles.append(label);
      box.addEventListener("change", () => {
        if (box.checked) { enabled.add(layer.kind); for (const m of maps) addReference(m, layer.kind); }
        else { enabled.delete(layer.kind); for (const m of maps) removeReference(m, layer.kind); }
        refresh().catch(console.error);
      });
    }
    if (!layerList.length) toggles.insertAdjacentHTML("beforeend", '<p class="muted small">尚未导入参考图层。</p>');
  }

  const info = document.getElementById("map-info");
  for (const m of maps) {
    m.on("click", (event) => {
      const hits = m.queryRenderedFeatures(event.point).filter((f) => f.source !== "imagery");
      if (hits.length && info) showInfo(info, hits[0], layerLabels);
    });
  }

  await refresh();
  await Promise.all(maps.map(idle));
  el.dataset.ready = "true";
  return { patch: true, before: both ? imagery.before.id : null, after: (imagery.after || imagery.before)?.id ?? null };
}

if (el) {
  window.mapReady = start().catch((error) => {
    el.classList.add("map-failed");
    el.insertAdjacentHTML("beforeend", '<p class="map-error">地图无法显示：浏览器可能不支持 WebGL，请使用新版 Chrome、Edge 或 360 极速模式。图斑的比对结果和判定不受影响。</p>');
    console.error(error);
    throw error;
  });
}
