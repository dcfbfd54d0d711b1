// Draw every figure of the page from the JSON the server embedded. No inline script: the
// page's Content-Security-Policy allows only scripts from this site.
(function () {
  const configNode = document.getElementById("fc-chart-config");
  const config = configNode ? JSON.parse(configNode.textContent) : { displayModeBar: false, responsive: true };
  const draw = () => {
    document.querySelectorAll(".fc-chart").forEach((container) => {
      const figure = JSON.parse(container.querySelector("script.fc-figure").textContent);
      const target = document.createElement("div");
      container.appendChild(target);
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
  window.addEventListener("beforeprint", () => {
    const width = printWidth();
    plots().forEach((plot) => window.Plotly.relayout(plot, { width: width }));
  });
  window.addEventListener("afterprint", () => {
    plots().forEach((plot) => window.Plotly.relayout(plot, { width: null, autosize: true }));
  });
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
})();
