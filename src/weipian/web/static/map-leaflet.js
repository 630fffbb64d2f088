// The patch map without WebGL: the same imagery tiles, patches and reference layers drawn by
// Leaflet 1.9.4 (vendored; SVG and plain <img> tiles), with a swipe made of a range input that
// clips the after image. Loaded by map.js only when the browser has no WebGL.
import * as L from "./vendor/leaflet-1.9.4/leaflet-src.esm.js";
import {
  LAYER_COLOURS, OTHER_PATCHES, SPLIT_PARTS, bboxParam, getJSON, layerToggles, locateButton, photoArrows, showClickPoint,
  showInfo, withoutImagery,
} from "./map-common.js";

function imageryLayer(image) {
  const [w, s, e, n] = image.bounds;
  return L.tileLayer(location.origin + image.tiles, {
    maxZoom: 20, maxNativeZoom: 19, bounds: [[s, w], [n, e]], keepBuffer: 1,
  });
}

function loaded(layer) {
  // A tile layer says "load" once its visible tiles are in; cap the wait so a view without
  // tiles (outside the image) still settles.
  return Promise.race([
    new Promise((resolve) => layer.once("load", resolve)),
    new Promise((resolve) => setTimeout(resolve, 8000)),
  ]);
}

// The before image on the left of the handle, the after image on the right, as on the WebGL map.
function swipe(map, before, after) {
  const holder = map.getContainer().parentElement;
  const divider = L.DomUtil.create("div", "map-divider", holder);
  const range = L.DomUtil.create("input", "map-swipe", holder);
  Object.assign(range, { type: "range", min: "0", max: "1", step: "any", value: "0.5", title: "拖动对比前后时相" });
  range.setAttribute("aria-label", "前后时相对比位置");
  L.DomEvent.disableClickPropagation(range);
  function clip() {
    const ratio = Number(range.value);
    const size = map.getSize();
    const nw = map.containerPointToLayerPoint([0, 0]);
    const se = map.containerPointToLayerPoint(size);
    const x = nw.x + size.x * ratio;
    before.getContainer().style.clip = `rect(${nw.y}px, ${x}px, ${se.y}px, ${nw.x}px)`;
    after.getContainer().style.clip = `rect(${nw.y}px, ${se.x}px, ${se.y}px, ${x}px)`;
    divider.style.left = `${size.x * ratio}px`;
  }
  range.addEventListener("input", clip);
  map.on("move zoom resize", clip);
  clip();
}

export async function startLeaflet(view, imagery, layerList, stateLabels) {
  const { patchId, outline, w, s, e, n } = view;
  document.getElementById("map-before").hidden = true;
  const pane = document.getElementById("map-after");
  // No fade-in: a tile is final when its "load" fires, so mapReady means what it says.
  const map = L.map(pane, { attributionControl: false, maxZoom: 20, zoomSnap: 0.25, fadeAnimation: false });
  map.fitBounds([[s, w], [n, e]], { padding: [60, 60], maxZoom: 18 });
  L.control.scale({ imperial: false, position: "topright" }).addTo(map);

  const images = [imagery.before, imagery.after].filter(Boolean).map(imageryLayer);
  const drawn = images.map(loaded);
  for (const layer of images) layer.addTo(map);
  if (images.length === 2) swipe(map, images[0], images[1]);

  const layerLabels = Object.fromEntries(layerList.map((l) => [l.kind, l.label]));
  const info = document.getElementById("map-info");
  const clicked = (kind) => (event) => {
    // A patch on top of a reference feature: the patch handler runs first and stops the event.
    if (kind === "patches") L.DomEvent.stopPropagation(event);
    if (info) showInfo(info, { kind, id: event.layer.feature.id, properties: event.layer.feature.properties },
      layerLabels, stateLabels);
    showClickPoint(info, event.latlng.lng, event.latlng.lat);
  };
  map.on("click", (event) => showClickPoint(info, event.latlng.lng, event.latlng.lat));
  const patches = L.geoJSON(null, {
    style: (f) => (f.id === patchId
      ? { color: outline, weight: 3, fill: true, fillOpacity: 0 } // invisible fill: clickable inside
      : (view.parts || []).includes(f.id)
        ? { color: SPLIT_PARTS, weight: 2, dashArray: "4 2", fillColor: SPLIT_PARTS, fillOpacity: 0.08 }
        : { color: OTHER_PATCHES, weight: 1.5, fillColor: OTHER_PATCHES, fillOpacity: 0.06 }),
  }).on("click", clicked("patches")).addTo(map);
  const references = new Map();

  const notice = document.getElementById("map-notice");
  async function refresh() {
    const b = map.getBounds();
    const box = bboxParam(b.getWest(), b.getSouth(), b.getEast(), b.getNorth());
    const jobs = [[patches, `/api/map/patches?bbox=${box}`],
      ...[...references].map(([kind, layer]) => [layer, `/api/map/layers/${kind}?bbox=${box}`])];
    const results = await Promise.all(jobs.map(([, url]) => getJSON(url)));
    jobs.forEach(([layer], i) => { layer.clearLayers(); layer.addData(results[i]); });
    for (const layer of references.values()) layer.bringToBack();
    patches.eachLayer((l) => { if (l.feature.id === patchId) l.bringToFront(); });
    if (notice) notice.hidden = !results.some((r) => r.truncated);
  }
  let timer = null;
  map.on("moveend", () => { clearTimeout(timer); timer = setTimeout(() => refresh().catch(console.error), 150); });

  layerToggles(layerList, (kind, on) => {
    if (on && !references.has(kind)) {
      const colour = LAYER_COLOURS[kind] || "#ffffff";
      references.set(kind, L.geoJSON(null, {
        style: { color: colour, weight: 1.2, dashArray: "6 3", fillColor: colour, fillOpacity: 0.08 },
      }).on("click", clicked(kind)).addTo(map));
    } else if (!on && references.has(kind)) {
      map.removeLayer(references.get(kind));
      references.delete(kind);
    }
    refresh().catch(console.error);
  });

  const photos = await getJSON(`/api/map/photos?patch_id=${patchId}`).catch(() => null);
  if (photos && photos.features.length) {
    const arrows = photoArrows(photos);
    L.geoJSON(arrows, { style: { color: "#ffffff", weight: 6, lineCap: "round" }, interactive: false }).addTo(map);
    L.geoJSON(arrows, {
      style: (f) => ({ color: f.properties.failed > 0 ? "#d93025" : "#1e8e3e", weight: 3, lineCap: "round" }),
      interactive: false,
    }).addTo(map);
    L.geoJSON(photos, {
      pointToLayer: (f, latlng) => L.circleMarker(latlng, {
        radius: 6, color: "#ffffff", weight: 2, fillOpacity: 1, fillColor: f.properties.failed ? "#d93025" : "#1e8e3e",
      }),
    }).on("click", (event) => {
      L.DomEvent.stopPropagation(event);
      if (info) showInfo(info, { kind: "photos", id: event.layer.feature.id, properties: event.layer.feature.properties },
        { ...layerLabels, photos: "现场照片" }, stateLabels);
    }).addTo(map);
  }

  let me = null;
  locateButton((lon, lat, accuracy) => {
    me ??= L.circleMarker([lat, lon], { radius: 7, color: "#fff", weight: 2, fillColor: "#1a73e8", fillOpacity: 1 });
    me.setLatLng([lat, lon]).addTo(map);
    map.panTo([lat, lon]);
  });

  withoutImagery(imagery);
  await refresh();
  await Promise.all(drawn);
  return {
    before: images.length === 2 ? imagery.before.id : null,
    after: (imagery.after || imagery.before)?.id ?? null,
  };
}
