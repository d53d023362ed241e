/* The oversight dashboard's enhancements: the page works without them.
 *
 * - draws the two charts with Chart.js from the series the server embedded (#dashboard-charts);
 * - every few minutes asks the dashboard itself for its content again (the same address, with the
 *   X-Orderctl-Fragment header), swaps the server-rendered fragment in, redraws the charts from it and
 *   says when it last did, in a polite live region: nothing the server renders is rendered again here;
 * - reveals the "Print brief" and "Refresh now" buttons, which need it.
 * The refresh interval is the data-refresh-seconds attribute of .dashboard; a hidden tab skips it.
 *
 * No inline code and no eval: the page runs under a strict Content Security Policy.
 */
(function () {
  "use strict";

  const root = document.querySelector(".dashboard");
  if (!root) {
    return;
  }
  const clockFormat = new Intl.DateTimeFormat("en-US", {
    timeZone: "America/New_York",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const charts = {};
  let refreshing = false;

  function content() {
    return document.getElementById("dashboard-content");
  }

  // --- Charts -----------------------------------------------------------------------------------------

  function timelineDatasets(timeline) {
    return timeline.series.map((series) => ({
      label: series.label,
      data: series.values,
      backgroundColor: series.colour,
      borderColor: "#fff",
      borderWidth: 1,
    }));
  }

  function historyDatasets(history) {
    // Told apart by their markers as well as their colours.
    return [
      { label: "Open", key: "open", pointStyle: "circle" },
      { label: "Completed", key: "completed", pointStyle: "rect" },
    ].map(({ label, key, pointStyle }) => ({
      label,
      data: history[key],
      borderColor: history.colours[key],
      backgroundColor: history.colours[key],
      pointStyle,
      pointRadius: history.labels.length > 40 ? 0 : 3,
      borderWidth: 3,
    }));
  }

  function chartOptions(stacked) {
    return {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      interaction: { mode: "index", intersect: false },
      plugins: { legend: { position: "bottom", labels: { color: "#1b1b1b", usePointStyle: !stacked } } },
      scales: {
        x: { stacked, ticks: { color: "#1b1b1b", autoSkip: true, autoSkipPadding: 16, maxRotation: 0 } },
        y: { stacked, beginAtZero: true, ticks: { color: "#1b1b1b", precision: 0 } },
      },
    };
  }

  /* Draw both charts from the series embedded in the current content (the tables stand on their own). */
  function drawCharts() {
    if (!window.Chart) {
      return;
    }
    const data = JSON.parse(document.getElementById("dashboard-charts").textContent);
    const specs = {
      timeline: { type: "bar", labels: data.timeline.labels, datasets: timelineDatasets(data.timeline), stacked: true },
      history: { type: "line", labels: data.history.labels, datasets: historyDatasets(data.history), stacked: false },
    };
    for (const [name, spec] of Object.entries(specs)) {
      if (charts[name]) {
        charts[name].destroy(); // its canvas left with the old content
      }
      const container = content().querySelector(`[data-chart="${name}"]`);
      container.hidden = false;
      charts[name] = new window.Chart(container.querySelector("canvas"), {
        type: spec.type,
        data: { labels: spec.labels, datasets: spec.datasets },
        options: chartOptions(spec.stacked),
      });
      // The chart is the quick read; its table stays one click away (and is what a screen reader gets).
      container.parentElement.querySelector("[data-chart-table]").open = false;
    }
  }

  // --- Refreshing -------------------------------------------------------------------------------------

  function say(text) {
    document.getElementById("dashboard-updated").textContent = text;
  }

  async function refresh() {
    if (refreshing) {
      return;
    }
    refreshing = true;
    const previous = content().dataset.updated.match(/\d\d:\d\d/)[0];
    try {
      const response = await fetch(window.location.href, {
        headers: {
          [root.dataset.fragmentHeader]: "content",
          // A refresh is not the reviewer acting: it must not keep an unattended session alive.
          "X-Orderctl-Background": "1",
        },
        credentials: "same-origin",
        redirect: "error", // a redirect here is the sign-in page: the session has ended
      });
      if (!response.ok) {
        throw new Error(`the server answered ${response.status}`);
      }
      const fragment = new DOMParser().parseFromString(await response.text(), "text/html");
      const fresh = fragment.getElementById("dashboard-content");
      if (!fresh) {
        throw new Error("the answer held no dashboard");
      }
      content().replaceWith(document.adoptNode(fresh));
      drawCharts();
      say(fresh.dataset.updated);
    } catch (error) {
      const now = clockFormat.format(new Date());
      const reason = error instanceof TypeError ? "your session has ended: reload the page to sign in again" : error.message;
      say(`Could not refresh at ${now} Eastern time (${reason}); the numbers are from ${previous}.`);
    } finally {
      refreshing = false;
    }
  }

  function start() {
    drawCharts();
    const printButton = document.querySelector('[data-action="print"]');
    printButton.hidden = false;
    printButton.addEventListener("click", () => window.print());
    const refreshButton = document.querySelector('[data-action="refresh"]');
    refreshButton.hidden = false;
    refreshButton.addEventListener("click", refresh);
    // Charts follow the paper's width when printed, then the window's again.
    window.addEventListener("beforeprint", () => Object.values(charts).forEach((chart) => chart.resize()));
    window.addEventListener("afterprint", () => Object.values(charts).forEach((chart) => chart.resize()));
    const seconds = Number(root.dataset.refreshSeconds);
    if (!(seconds > 0)) {
      return;
    }
    // A tab nobody looks at asks nothing of the server (nor keeps its session alive); it catches up
    // as soon as it is shown again.
    let missed = false;
    window.setInterval(() => {
      if (document.hidden) {
        missed = true;
      } else {
        refresh();
      }
    }, seconds * 1000);
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden && missed) {
        missed = false;
        refresh();
      }
    });
  }

  start();
})();
