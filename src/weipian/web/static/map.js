// weipian patch map: the patch over its before/after imagery with a swipe, the patches around it
// and toggles for every reference layer. Everything comes from this server (no basemap, no
// glyphs: there are no text labels, so no font download is ever attempted). Without WebGL (old
// PCs, blocked GPU drivers) the same map is drawn by Leaflet: map-leaflet.js.
//
// Contract for tests and other pages: `window.mapReady` resolves to
// {patch: true, before: <image id|null>, after: <image id|null>, renderer: "maplibre"|"leaflet"}
// once the patch outline and the imagery are drawn (rejects if the map cannot start).
import * as maplibre from "./vendor/maplibre-gl-6.17.0/maplibre-gl.mjs";
import {
  LAYER_COLOURS, OTHER_PATCHES, SPLIT_PARTS, bboxParam, getJSON, hasWebGL, labelPhases, layerToggles, locateButton,
  patchFirst, photoArrows, showClickPoint, showInfo, withoutImagery,
} from "./map-common.js";

const el = document.getElementById("map");
const STATE_LABELS = JSON.parse(el?.dataset.stateLabels || "{}");

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

function addOverlays(map, patchId, outline, parts) {
  map.addSource("patches", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  const isPart = ["in", ["id"], ["literal", parts]];
  const others = ["all", ["!=", ["id"], patchId], ["!", isPart]];
  map.addLayer({ id: "patches-fill", type: "fill", source: "patches", filter: others,
    paint: { "fill-color": OTHER_PATCHES, "fill-opacity": 0.06 } });
  map.addLayer({ id: "patches-line", type: "line", source: "patches", filter: others,
    paint: { "line-color": OTHER_PATCHES, "line-width": 1.5 } });
  map.addLayer({ id: "patch-parts-fill", type: "fill", source: "patches", filter: ["all", ["!=", ["id"], patchId], isPart],
    paint: { "fill-color": SPLIT_PARTS, "fill-opacity": 0.08 } });
  map.addLayer({ id: "patch-parts", type: "line", source: "patches", filter: ["all", ["!=", ["id"], patchId], isPart],
    paint: { "line-color": SPLIT_PARTS, "line-width": 2, "line-dasharray": [2, 1] } });
  // Invisible fill: a click anywhere inside the patch finds it (the outline alone is 3 px wide).
  map.addLayer({ id: "patch-current-fill", type: "fill", source: "patches", filter: ["==", ["id"], patchId],
    paint: { "fill-color": outline, "fill-opacity": 0 } });
  map.addLayer({ id: "patch-current", type: "line", source: "patches", filter: ["==", ["id"], patchId],
    paint: { "line-color": outline, "line-width": 3 } });
}

function addReference(map, kind) {
  if (map.getSource(`ref-${kind}`)) return;
  const colour = LAYER_COLOURS[kind] || "#ffffff";
  map.addSource(`ref-${kind}`, { type: "geojson", data: { type: "FeatureCollection", features: [] } });
  map.addLayer({ id: `ref-${kind}-fill`, type: "fill", source: `ref-${kind}`,
    paint: { "fill-color": colour, "fill-opacity": 0.08 } }, "patches-fill");
  map.addLayer({ id: `ref-${kind}-line`, type: "line", source: `ref-${kind}`,
    paint: { "line-color": colour, "line-width": 1.2, "line-dasharray": [3, 1.5] } }, "patches-fill");
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

async function startMapLibre(view, imagery, layerList) {
  const { patchId, outline, w, s, e, n } = view;
  const panes = { before: document.getElementById("map-before"), after: document.getElementById("map-after") };
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
  for (const m of maps) addOverlays(m, patchId, outline, view.parts);

  if (both) {
    window.maplibregl = { ...maplibre };  // the UMD plugin wants a mutable global
    await import("./vendor/maplibre-gl-compare-0.5.0/maplibre-gl-compare.js");
    new window.maplibregl.Compare(before, after, "#map", {});
  }

  const enabled = new Set();
  const notice = document.getElementById("map-notice");
  async function refresh() {
    const b = after.getBounds();
    const box = bboxParam(b.getWest(), b.getSouth(), b.getEast(), b.getNorth());
    const jobs = [["patches", `/api/map/patches?bbox=${box}`],
      ...[...enabled].map((k) => [`ref-${k}`, `/api/map/layers/${k}?bbox=${box}`])];
    const results = await Promise.all(jobs.map(([, url]) => getJSON(url)));
    jobs.forEach(([source], i) => { for (const m of maps) m.getSource(source)?.setData(results[i]); });
    if (notice) notice.hidden = !results.some((r) => r.truncated);
  }
  let timer = null;
  after.on("moveend", () => { clearTimeout(timer); timer = setTimeout(() => refresh().catch(console.error), 150); });

  layerToggles(layerList, (kind, on) => {
    if (on) { enabled.add(kind); for (const m of maps) addReference(m, kind); }
    else { enabled.delete(kind); for (const m of maps) removeReference(m, kind); }
    refresh().catch(console.error);
  });

  const layerLabels = Object.fromEntries(layerList.map((l) => [l.kind, l.label]));
  const info = document.getElementById("map-info");
  for (const m of maps) {
    m.on("click", (event) => {
      const hits = m.queryRenderedFeatures(event.point).filter((f) => f.source !== "imagery");
      const photo = hits.find((f) => f.source === "photos");
      const hit = photo || patchFirst(hits.filter((f) => f.source !== "photo-arrows"), (f) => f.source === "patches");
      if (hit && info) {
        const kind = hit.source === "photos" ? "photos" : hit.source.replace(/^ref-/, "");
        showInfo(info, { kind, id: hit.id, properties: hit.properties }, { ...layerLabels, photos: "现场照片" },
          STATE_LABELS);
      }
      showClickPoint(info, event.lngLat.lng, event.lngLat.lat);
    });
  }

  // Field photos: a dot each (red when a check failed) and an arrow the way the camera looked.
  const photos = await getJSON(`/api/map/photos?patch_id=${patchId}`).catch(() => null);
  if (photos && photos.features.length) {
    for (const m of maps) {
      m.addSource("photo-arrows", { type: "geojson", data: photoArrows(photos) });
      m.addSource("photos", { type: "geojson", data: photos });
      // The arrow in the dot's colour on a white casing: visible on fields and apart from the
      // white swipe line.
      m.addLayer({ id: "photo-arrows-casing", type: "line", source: "photo-arrows",
        layout: { "line-cap": "round", "line-join": "round" },
        paint: { "line-color": "#ffffff", "line-width": 6 } });
      m.addLayer({ id: "photo-arrows", type: "line", source: "photo-arrows",
        layout: { "line-cap": "round", "line-join": "round" },
        paint: { "line-color": ["case", [">", ["get", "failed"], 0], "#d93025", "#1e8e3e"], "line-width": 3 } });
      m.addLayer({ id: "photos", type: "circle", source: "photos",
        paint: { "circle-radius": 6, "circle-color": ["case", [">", ["get", "failed"], 0], "#d93025", "#1e8e3e"],
          "circle-stroke-color": "#ffffff", "circle-stroke-width": 2 } });
    }
  }

  let me = null;
  locateButton((lon, lat) => {
    me ??= new maplibre.Marker({ element: Object.assign(document.createElement("div"), { className: "me-dot" }) });
    me.setLngLat([lon, lat]).addTo(after);
    after.easeTo({ center: [lon, lat] });
  });

  withoutImagery(imagery);
  await refresh();
  await Promise.all(maps.map(idle));
  return { before: both ? imagery.before.id : null, after: (imagery.after || imagery.before)?.id ?? null };
}

async function start() {
  const [w, s, e, n] = el.dataset.bbox.split(",").map(Number);
  const parts = JSON.parse(el.dataset.parts || "[]").map(Number);
  const view = { patchId: Number(el.dataset.patchId), outline: el.dataset.outline, parts, w, s, e, n };
  const [imagery, layerList] = await Promise.all([
    getJSON(`/api/imagery?patch_id=${view.patchId}`).catch(() => ({ before: null, after: null })),
    getJSON("/api/map/layers"),
  ]);
  labelPhases(imagery);
  let drawn;
  if (hasWebGL()) {
    drawn = { ...(await startMapLibre(view, imagery, layerList)), renderer: "maplibre" };
  } else {
    const { startLeaflet } = await import("./map-leaflet.js");
    drawn = { ...(await startLeaflet(view, imagery, layerList, STATE_LABELS)), renderer: "leaflet" };
  }
  document.getElementById("map-loading")?.remove();
  el.dataset.ready = "true";
  el.dataset.renderer = drawn.renderer;
  return { patch: true, ...drawn };
}

if (el) {
  window.mapReady = start().catch((error) => {
    document.getElementById("map-loading")?.remove();
    el.classList.add("map-failed");
    el.insertAdjacentHTML("beforeend", '<p class="map-error">地图无法显示，请刷新页面；仍不行请联系管理员。图斑的比对结果和判定不受影响。</p>');
    console.error(error);
    throw error;
  });
}
