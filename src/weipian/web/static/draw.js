// 登记自主发现图斑: click the corners of a case on the map; 撤销 takes the last one back, 完成
// writes the ring into the coordinates box as "经度 纬度, …" (CGCS2000 degrees, 8 decimals ≈
// 1 mm). The map shows the county's newest imagery (as the patch map; without imagery it turns on
// 地类图斑 and says so), the existing patches and the reference layers, all from this server; the
// form works without it (paste coordinates), e.g. where WebGL is missing.
//
// Contract for tests: `window.drawReady` resolves once the map is drawn (rejects if it cannot
// start); `window.drawMap` is the MapLibre map.
import * as maplibre from "./vendor/maplibre-gl-6.17.0/maplibre-gl.mjs";
import {
  LAYER_COLOURS, OTHER_PATCHES, bboxParam, getJSON, hasWebGL, layerToggles, withoutImagery,
} from "./map-common.js";

const el = document.getElementById("map");
const DRAFT = "#ff2d2d";
const empty = () => ({ type: "FeatureCollection", features: [] });

function draftData(points, closed) {
  const features = points.map((p) => ({ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: p } }));
  if (points.length >= 3 && closed) {
    features.push({ type: "Feature", properties: {}, geometry: { type: "Polygon", coordinates: [[...points, points[0]]] } });
  } else if (points.length >= 2) {
    features.push({ type: "Feature", properties: {}, geometry: { type: "LineString", coordinates: points } });
  }
  return { type: "FeatureCollection", features };
}

function tools(map) {
  const button = (id) => document.getElementById(id);
  const [start, undo, finish, clear] = ["draw-start", "draw-undo", "draw-finish", "draw-clear"].map(button);
  const status = button("draw-status");
  const box = button("geometry");
  const crs = button("crs");
  let points = [];
  let drawing = false;
  let closed = false;

  function show() {
    map.getSource("draft").setData(draftData(points, closed || points.length >= 3));
    undo.disabled = !drawing || points.length === 0;
    finish.disabled = !drawing || points.length < 3;
    clear.disabled = points.length === 0;
    el.classList.toggle("drawing", drawing);
    if (drawing) status.textContent = points.length < 3 ? `已点 ${points.length} 个拐点，至少需要 3 个。` : `已点 ${points.length} 个拐点，可继续点击，或点“完成”。`;
  }

  start.addEventListener("click", () => {
    drawing = true; closed = false; points = [];
    start.disabled = true;
    show();
  });
  undo.addEventListener("click", () => { points.pop(); show(); });
  clear.addEventListener("click", () => {
    points = []; drawing = false; closed = false;
    start.disabled = false;
    status.textContent = "已清除。点“开始绘制”重新画。";
    show();
  });
  finish.addEventListener("click", () => {
    if (points.length < 3) return;
    drawing = false; closed = true;
    start.disabled = false;
    box.value = points.map(([x, y]) => `${x.toFixed(8)} ${y.toFixed(8)}`).join(", ");
    if (crs) crs.value = "EPSG:4490";
    show();
    status.textContent = `已完成，共 ${points.length} 个拐点，坐标已填入下框。填写监测编号后点“登记”。`;
  });
  map.on("click", (event) => {
    if (!drawing) return;
    points.push([event.lngLat.lng, event.lngLat.lat]);
    show();
  });
}

async function start() {
  if (!hasWebGL()) throw new Error("no WebGL");
  const [w, s, e, n] = el.dataset.bbox.split(",").map(Number);
  const image = el.dataset.imagery ? JSON.parse(el.dataset.imagery) : null;
  const sources = {};
  const layers = [{ id: "background", type: "background", paint: { "background-color": "#d9dee5" } }];
  if (image) {
    sources.imagery = { type: "raster", tiles: [location.origin + image.tiles], tileSize: 256, bounds: image.bounds,
      minzoom: 0, maxzoom: 19 };
    layers.push({ id: "imagery", type: "raster", source: "imagery" });
  }
  const map = new maplibre.Map({
    container: document.getElementById("map-after"),
    style: { version: 8, sources, layers },
    bounds: [[w, s], [e, n]], attributionControl: false, maxZoom: 20, dragRotate: false,
    pitchWithRotate: false, touchPitch: false, doubleClickZoom: false,
  });
  window.drawMap = map;
  map.addControl(new maplibre.NavigationControl({ showCompass: false }), "top-right");
  map.addControl(new maplibre.ScaleControl({ unit: "metric" }), "bottom-right");
  await new Promise((resolve) => map.on("load", resolve));

  map.addSource("patches", { type: "geojson", data: empty() });
  map.addLayer({ id: "patches-line", type: "line", source: "patches", paint: { "line-color": OTHER_PATCHES, "line-width": 1.5 } });
  map.addSource("draft", { type: "geojson", data: empty() });
  map.addLayer({ id: "draft-fill", type: "fill", source: "draft", filter: ["==", ["geometry-type"], "Polygon"],
    paint: { "fill-color": DRAFT, "fill-opacity": 0.15 } });
  map.addLayer({ id: "draft-line", type: "line", source: "draft", filter: ["!=", ["geometry-type"], "Point"],
    paint: { "line-color": DRAFT, "line-width": 2.5 } });
  map.addLayer({ id: "draft-points", type: "circle", source: "draft", filter: ["==", ["geometry-type"], "Point"],
    paint: { "circle-radius": 5, "circle-color": "#ffffff", "circle-stroke-color": DRAFT, "circle-stroke-width": 2 } });

  const enabled = new Set(["townships"]);
  const notice = document.getElementById("map-notice");
  async function refresh() {
    const b = map.getBounds();
    const box = bboxParam(b.getWest(), b.getSouth(), b.getEast(), b.getNorth());
    const jobs = [["patches", `/api/map/patches?bbox=${box}`],
      ...[...enabled].map((k) => [`ref-${k}`, `/api/map/layers/${k}?bbox=${box}`])];
    const results = await Promise.all(jobs.map(([, url]) => getJSON(url).catch(() => empty())));
    jobs.forEach(([source], i) => map.getSource(source)?.setData(results[i]));
    if (notice) notice.hidden = !results.some((r) => r.truncated);
  }
  function addReference(kind) {
    if (map.getSource(`ref-${kind}`)) return;
    map.addSource(`ref-${kind}`, { type: "geojson", data: empty() });
    map.addLayer({ id: `ref-${kind}-line`, type: "line", source: `ref-${kind}`,
      paint: { "line-color": LAYER_COLOURS[kind] || "#ffffff", "line-width": 1.2, "line-dasharray": [3, 1.5] } }, "patches-line");
  }
  const layerList = await getJSON("/api/map/layers").catch(() => []);
  if (layerList.some((l) => l.kind === "townships")) addReference("townships");
  else enabled.delete("townships");
  layerToggles(layerList.filter((l) => l.kind !== "townships"), (kind, on) => {
    if (on) { enabled.add(kind); addReference(kind); }
    else {
      enabled.delete(kind);
      if (map.getLayer(`ref-${kind}-line`)) map.removeLayer(`ref-${kind}-line`);
      if (map.getSource(`ref-${kind}`)) map.removeSource(`ref-${kind}`);
    }
    refresh().catch(console.error);
  });
  withoutImagery({ after: image }, "本县");
  let timer = null;
  map.on("moveend", () => { clearTimeout(timer); timer = setTimeout(() => refresh().catch(console.error), 150); });
  tools(map);
  await refresh();
  document.getElementById("map-loading")?.remove();
  el.dataset.ready = "true";
  return true;
}

if (el) {
  window.drawReady = start().catch((error) => {
    document.getElementById("map-loading")?.remove();
    el.classList.add("map-failed");
    el.insertAdjacentHTML("beforeend", '<p class="map-error">此浏览器无法显示地图，请在下框直接粘贴坐标串或 GeoJSON。</p>');
    for (const id of ["draw-start", "draw-undo", "draw-finish", "draw-clear"]) document.getElementById(id).disabled = true;
    console.error(error);
    throw error;
  });
}
