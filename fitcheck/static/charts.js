// Draw every figure of the page from the JSON the server embedded. No inline script: the
// page's Content-Security-Policy allows only scripts from this site.
(function () {
  const configNode = document.getElementById("fc-chart-config");
  const config = configNode ? JSON.parse(configNode.textContent) : { displayModeBar: false, responsive: true };

  // A radar's circle fills the width between its side labels (within a minimum and a
  // maximum diameter), so its height follows the width it is drawn at: a phone's, a
  // desktop's or paper's. The server, which never knows the width, says what is above and
  // below the circle (layout.meta.fc_radar, from charts/round.py). A radar's width and
  // height are both set here, each time the width changes: plotly's own resizing would
  // keep the height.
  const fitted = (layout, width) => {
    const radar = layout.meta && layout.meta.fc_radar;
    if (!radar || !width) return null;
    const diameter = Math.max(radar.min, Math.min(radar.max, width - radar.sides));
    const plot = diameter + radar.below;
    return {
      width: width,
      height: Math.round(radar.top + plot + radar.legend),
      "polar.domain.y": [radar.below / plot, 1],
    };
  };

  const draw = () => {
    document.querySelectorAll(".fc-chart").forEach((container) => {
      const figure = JSON.parse(container.querySelector("script.fc-figure").textContent);
      const target = document.createElement("div");
      container.appendChild(target);
      const fit = fitted(figure.layout, container.clientWidth);
      if (fit) {
        figure.layout.width = fit.width;
        figure.layout.height = fit.height;
        figure.layout.polar.domain.y = fit["polar.domain.y"];
      }
      window.Plotly.newPlot(target, figure.data, figure.layout, config);
      container.dataset.drawn = String(figure.data.length);
    });
  };
  if (window.Plotly) draw();
  else window.addEventListener("load", draw);

  // Paper has its own width: before printing (the browser's dialog, or Chromium's PDF),
  // redraw each chart at the printed column's width (--fc-print-chart-width in
  // results.css), whatever the window's width; afterwards, back to the window's. The
  // redraw must finish before the page is laid out for print, so it is a relayout, which
  // plotly draws at once, not Plots.resize, which waits for a timer.
  const plots = () => document.querySelectorAll(".fc-chart .js-plotly-plot");
  const printWidth = () => {
    const probe = document.createElement("div");
    probe.style.cssText = "position:absolute;visibility:hidden;width:var(--fc-print-chart-width, 170mm)";
    document.body.appendChild(probe);
    const width = Math.floor(probe.getBoundingClientRect().width);
    probe.remove();
    return width;
  };
  let printing = false;
  window.addEventListener("beforeprint", () => {
    printing = true;
    const width = printWidth();
    plots().forEach((plot) => window.Plotly.relayout(plot, fitted(plot.layout, width) || { width: width }));
  });
  window.addEventListener("afterprint", () => {
    printing = false;
    plots().forEach((plot) => {
      const fit = fitted(plot.layout, plot.parentElement.clientWidth);
      window.Plotly.relayout(plot, fit || { width: null, autosize: true });
    });
  });
  // A window that changes width (a phone turned, a desktop window resized): plotly follows
  // the width itself ("responsive"), and a radar its height too, here.
  let resizing = null;
  window.addEventListener("resize", () => {
    if (printing) return;
    window.cancelAnimationFrame(resizing);
    resizing = window.requestAnimationFrame(() => {
      plots().forEach((plot) => {
        const fit = fitted(plot.layout, plot.parentElement.clientWidth);
        if (fit && fit.width !== plot.layout.width) window.Plotly.relayout(plot, fit);
      });
    });
  });
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
})();
