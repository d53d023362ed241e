/* The oversight dashboard's enhancements: the page works without them.
 *
 * - draws the two charts with Chart.js from the series the server embedded (#dashboard-config);
 * - every few minutes re-fetches the same numbers from the REST API (/api/v1/summary/ and the overdue
 *   list from /api/v1/directives/, with the page's filters) and the charts' series, updates the page
 *   and says when it last did, in a polite live region;
 * - reveals the "Print brief" and "Refresh now" buttons, which need it.
 * The refresh interval is the data-refresh-seconds attribute of .dashboard; a hidden tab skips it.
 *
 * No inline code and no eval: the page runs under a strict Content Security Policy. Text goes into the
 * page through textContent only.
 */
(function () {
  "use strict";

  const configElement = document.getElementById("dashboard-config");
  if (!configElement) {
    return;
  }
  const config = JSON.parse(configElement.textContent);
  const WEEKDAYS = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
  const clockFormat = new Intl.DateTimeFormat("en-US", {
    timeZone: config.timeZone,
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  const charts = {};
  let refreshing = false;
  let lastUpdated = document.querySelector("#dashboard-updated time");
  lastUpdated = lastUpdated ? lastUpdated.textContent : "";

  /* "2026-07-02" -> "Thu 2026-07-02", as the server writes dates. */
  function weekdayDate(iso) {
    const [year, month, day] = iso.split("-").map(Number);
    return `${WEEKDAYS[new Date(Date.UTC(year, month - 1, day)).getUTCDay()]} ${iso}`;
  }

  function plural(count, word) {
    return `${word}${count === 1 ? "" : "s"}`;
  }

  function element(tag, { text, className, attrs } = {}) {
    const node = document.createElement(tag);
    if (text !== undefined) {
      node.textContent = String(text);
    }
    if (className) {
      node.className = className;
    }
    for (const [name, value] of Object.entries(attrs || {})) {
      node.setAttribute(name, value);
    }
    return node;
  }

  function directiveUrl(id) {
    return `${config.directiveUrl}${id}/`;
  }

  /* The scorecard's order, as directives/dashboard.py's worst_first sorts it. */
  function worstFirst(agencies) {
    return [...agencies].sort(
      (a, b) =>
        b.overdue - a.overdue ||
        b.completed_late - a.completed_late ||
        b.open - a.open ||
        (a.abbreviation < b.abbreviation ? -1 : a.abbreviation > b.abbreviation ? 1 : 0),
    );
  }

  function agencyLinks(agencies) {
    const fragment = document.createDocumentFragment();
    agencies.forEach((agency, index) => {
      if (index) {
        fragment.append(", ");
      }
      fragment.append(element("abbr", { text: agency.abbreviation, attrs: { title: agency.name } }));
    });
    if (!agencies.length) {
      fragment.append("–");
    }
    return fragment;
  }

  function showList(name, rowCount) {
    document.querySelector(`[data-rows="${name}"]`).closest("table").hidden = rowCount === 0;
    document.querySelector(`[data-empty="${name}"]`).hidden = rowCount !== 0;
  }

  // --- Summary: tiles and scorecard -----------------------------------------------------------------

  function renderSummary(summary) {
    for (const tile of document.querySelectorAll("[data-summary]")) {
      tile.textContent = String(summary[tile.dataset.summary]);
    }
    const body = document.querySelector('[data-rows="scorecard"]');
    const rows = worstFirst(summary.agencies).map((agency) => {
      const row = element("tr", { className: agency.overdue ? "orderctl-row--overdue" : "" });
      const header = element("th", { attrs: { scope: "row", "data-label": "Lead agency" } });
      const params = new URLSearchParams();
      if (config.order) {
        params.set("order", config.order);
      }
      params.set("agency", agency.abbreviation);
      const link = element("a", { attrs: { href: `${config.dashboardUrl}?${params}` } });
      link.append(element("abbr", { text: agency.abbreviation, attrs: { title: agency.name } }));
      header.append(link, " ", element("span", { text: agency.name, className: "dashboard-agency-name" }));
      row.append(header);
      const cells = [
        ["Overdue", "overdue"],
        ["Completed late", "completed_late"],
        ["Completed on time", "completed_on_time"],
        ["Open", "open"],
        ["Led", "led"],
      ];
      for (const [label, key] of cells) {
        const bad = key === "overdue" && agency.overdue ? " dashboard-num--bad" : "";
        row.append(element("td", { text: agency[key], className: `dashboard-num${bad}`, attrs: { "data-label": label } }));
      }
      return row;
    });
    body.replaceChildren(...rows);
    showList("scorecard", rows.length);
  }

  // --- The overdue list -------------------------------------------------------------------------------

  function renderOverdue(page) {
    const template = document.getElementById("overdue-row-template");
    const rows = page.results.map((directive) => {
      const row = template.content.firstElementChild.cloneNode(true);
      const field = (name) => row.querySelector(`[data-field="${name}"]`);
      const days = field("days");
      if (directive.days_overdue) {
        days.append(
          element("span", { text: directive.days_overdue, className: "dashboard-days__value" }),
          ` ${plural(directive.days_overdue, "day")}`,
        );
      } else {
        days.append(element("span", { text: "a part is overdue", className: "dashboard-days__part" }));
      }
      field("lead").append(agencyLinks(directive.lead_agencies));
      for (const name of ["ref", "title"]) {
        field(name).textContent = directive[name];
        field(name).setAttribute("href", directiveUrl(directive.id));
      }
      field("due_on").textContent = directive.due_on ? weekdayDate(directive.due_on) : "None";
      const status = field("status");
      status.textContent = config.statusLabels[directive.status] || directive.status;
      status.classList.add(`orderctl-status--${directive.status}`);
      const forecast = field("forecast_on");
      if (directive.forecast_on) {
        forecast.textContent = weekdayDate(directive.forecast_on);
      } else {
        forecast.append(element("span", { text: "None given", className: "text-base" }));
      }
      return row;
    });
    document.querySelector('[data-rows="overdue"]').replaceChildren(...rows);
    document.querySelector('[data-count="overdue"]').textContent = String(page.count);
    document.querySelector('[data-plural="overdue"]').textContent = page.count === 1 ? "" : "s";
    document.querySelector('[data-more="overdue"]').hidden = page.count <= rows.length;
    showList("overdue", rows.length);
  }

  // --- Charts and their tables ----------------------------------------------------------------------

  function renderTable(name, rows, columns) {
    const body = document.querySelector(`[data-table="${name}"]`);
    if (!rows.length) {
      body.replaceChildren(element("tr"));
      body.firstChild.append(element("td", { text: "No directive in this view.", attrs: { colspan: columns } }));
      return;
    }
    body.replaceChildren(
      ...rows.map(([label, ...values]) => {
        const row = element("tr");
        row.append(element("th", { text: label, attrs: { scope: "row" } }));
        for (const value of values) {
          row.append(element("td", { text: value, className: "dashboard-num" }));
        }
        return row;
      }),
    );
  }

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

  function renderCharts(data) {
    const { timeline, history } = data;
    renderTable(
      "timeline",
      timeline.labels.map((label, i) => [label, ...timeline.series.map((s) => s.values[i]), timeline.totals[i]]),
      timeline.series.length + 2,
    );
    renderTable("history", history.labels.map((label, i) => [label, history.open[i], history.completed[i]]), 3);
    if (!window.Chart) {
      return; // the tables stand on their own
    }
    const specs = {
      timeline: { type: "bar", labels: timeline.labels, datasets: timelineDatasets(timeline), stacked: true },
      history: { type: "line", labels: history.labels, datasets: historyDatasets(history), stacked: false },
    };
    for (const [name, spec] of Object.entries(specs)) {
      const container = document.querySelector(`[data-chart="${name}"]`);
      if (charts[name]) {
        charts[name].data.labels = spec.labels;
        charts[name].data.datasets = spec.datasets;
        charts[name].update();
        continue;
      }
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

  function say(parts) {
    const region = document.getElementById("dashboard-updated");
    region.replaceChildren(...parts);
  }

  function sayUpdated(summary) {
    const time = element("time", { text: clockFormat.format(new Date(summary.as_of)), attrs: { datetime: summary.as_of } });
    lastUpdated = time.textContent;
    say(["Updated ", time, ` Eastern time, ${weekdayDate(summary.today)}`]);
  }

  async function getJson(url) {
    const response = await fetch(url, {
      // A refresh is not the reviewer acting: it must not keep an unattended session alive.
      headers: { Accept: "application/json", "X-Orderctl-Background": "1" },
      credentials: "same-origin",
    });
    if (response.status === 401 || response.status === 403) {
      throw new Error("your session has ended: reload the page to sign in again");
    }
    if (!response.ok) {
      throw new Error(`the server answered ${response.status}`);
    }
    return response.json();
  }

  async function refresh() {
    if (refreshing) {
      return;
    }
    refreshing = true;
    try {
      // One request after another: each renews the session, and SQLite takes one writer at a time.
      const summary = await getJson(config.summaryUrl);
      const overdue = await getJson(config.overdueUrl);
      const chartData = await getJson(config.chartsUrl);
      renderSummary(summary);
      renderOverdue(overdue);
      renderCharts(chartData);
      sayUpdated(summary);
    } catch (error) {
      const now = clockFormat.format(new Date());
      say([`Could not refresh at ${now} Eastern time (${error.message}); the numbers are from ${lastUpdated}.`]);
    } finally {
      refreshing = false;
    }
  }

  function start() {
    renderCharts(config.charts);
    const printButton = document.querySelector('[data-action="print"]');
    printButton.hidden = false;
    printButton.addEventListener("click", () => window.print());
    const refreshButton = document.querySelector('[data-action="refresh"]');
    refreshButton.hidden = false;
    refreshButton.addEventListener("click", refresh);
    // Charts follow the paper's width when printed, then the window's again.
    window.addEventListener("beforeprint", () => Object.values(charts).forEach((chart) => chart.resize()));
    window.addEventListener("afterprint", () => Object.values(charts).forEach((chart) => chart.resize()));
    const seconds = Number(document.querySelector(".dashboard").dataset.refreshSeconds);
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
