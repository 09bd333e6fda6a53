"use strict";
// Polls /api/state and redraws: one heat map per live manifest version, migration progress, cohorts, log.

function colour(ratio) {
  // 1 = a balanced share: green; 3 or more: red; in between: through yellow.
  const t = Math.max(0, Math.min(1, (ratio - 1) / 2));
  const hue = 120 - 120 * t;
  return "hsl(" + hue + ", 70%, 50%)";
}

function drawMaps(versions) {
  const maps = document.getElementById("maps");
  maps.textContent = "";
  for (const v of versions) {
    // Hot or cool against the balanced share of this version's own traffic: a layout is judged on its shards.
    let total = 0;
    for (const c of v.cells) total += c.ops_per_second;
    const share = total / v.shards;
    const box = document.createElement("div");
    box.className = "version";
    box.dataset.version = v.version;
    const h = document.createElement("h3");
    h.textContent = "v" + v.version + " (" + v.role + "): " + v.function + ", " + v.shards + " shards";
    box.appendChild(h);
    const grid = document.createElement("div");
    grid.className = "grid";
    grid.style.gridTemplateColumns = "repeat(16, 1fr)";
    for (const c of v.cells) {
      const cell = document.createElement("div");
      const ratio = share > 0 ? c.ops_per_second / share : 0;
      cell.className = "cell " + (c.ops_per_second <= 0 ? "idle" : ratio >= 2.5 ? "hot" : "cool");
      cell.dataset.shard = c.shard;
      cell.dataset.ratio = ratio.toFixed(2);
      if (c.ops_per_second > 0) cell.style.background = colour(ratio);
      cell.textContent = c.shard;
      cell.title = "v" + v.version + " shard " + c.shard + ": " + c.ops_per_second.toFixed(1) + " ops/s, "
          + c.writes_per_second.toFixed(1) + " writes/s, " + c.latency_ms.toFixed(2) + " ms"
          + (c.creators >= 0 ? ", " + c.creators + " creators" : "");
      grid.appendChild(cell);
    }
    box.appendChild(grid);
    maps.appendChild(box);
  }
}

function draw(s) {
  document.getElementById("phase").textContent = "[" + s.step + "/6] " + s.phase;
  drawMaps(s.versions);
  const m = s.migration;
  if (m) {
    document.getElementById("migration").textContent = m.progress;
    document.getElementById("fill").style.width = Math.min(100, m.rows_on_new_percent) + "%";
    const box = document.getElementById("cohorts");
    box.textContent = "";
    for (const c of m.cohorts) {
      const d = document.createElement("div");
      d.className = "cohort " + c.state + (c.test ? " test" : "");
      d.title = "cohort " + c.id + " of v1 shard " + c.old_shard + ": " + c.state;
      box.appendChild(d);
    }
  }
  const log = document.getElementById("log");
  log.textContent = "";
  for (const line of s.log) {
    const li = document.createElement("li");
    li.textContent = line;
    log.appendChild(li);
  }
  if (s.report) {
    const r = s.report;
    document.getElementById("report").textContent =
        "busiest/mean: " + r.max_over_mean_before.toFixed(2) + " -> " + r.max_over_mean_after.toFixed(2)
        + "\ndigest checks " + r.digest_checks + " ok, " + r.digest_mismatches + " failed"
        + "\nacknowledged " + r.writes_acknowledged + ", stored " + r.rows_stored
        + "\nlost " + r.lost + ", duplicated " + r.duplicated;
  }
  document.body.dataset.step = s.step;
}

async function poll() {
  try {
    const r = await fetch("/api/state", {cache: "no-store"});
    draw(await r.json());
  } catch (e) {
    document.getElementById("phase").textContent = "demo not reachable (" + e + ")";
  }
  setTimeout(poll, 1000);
}
poll();
