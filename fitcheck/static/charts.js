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
  // Fit the charts to the paper's column, and back to the screen afterwards.
  const resize = () => document.querySelectorAll(".fc-chart .js-plotly-plot").forEach(
    (plot) => window.Plotly.Plots.resize(plot)
  );
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
  document.querySelectorAll("[data-print]").forEach((button) => {
    button.addEventListener("click", () => window.print());
  });
})();
